/**
 * Comparing two configs: which leaves changed, and which of them only a restart can apply.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Config } from '../config/schema.js';
import { withValues, type ResolvedConfig } from '../config/load.js';
import type { ConfigIssue } from '../config/errors.js';
import { getPath, leaves } from '../config/tree.js';

/**
 * Keys a running gateway cannot change: the listening sockets (port, bind, customBindHost) and
 * the Control UI files, which are read into memory once at start.
 */
export const RESTART_ONLY_PATHS = ['gateway.port', 'gateway.bind', 'gateway.customBindHost', 'gateway.controlUi.enabled'] as const;

/** Dotted paths whose value differs (arrays compare as a whole). Names only: values may be secrets. */
export function changedPaths(a: Config, b: Config): string[] {
  const la = leaves(a);
  const lb = leaves(b);
  const out: string[] = [];
  for (const key of new Set([...la.keys(), ...lb.keys()])) {
    if (!isDeepStrictEqual(la.get(key), lb.get(key))) out.push(key);
  }
  return out.sort();
}

/**
 * The config that can actually run: `next` with the restart-only keys (and their sources) kept at
 * their running values.
 */
export function pinRestartOnly(next: ResolvedConfig, running: ResolvedConfig): ResolvedConfig {
  return withValues(
    next,
    RESTART_ONLY_PATHS.map((path) => ({ path, value: getPath(running.config, path), source: running.sources.get(path) })),
  );
}

/** The restart-only paths whose value differs between the running config and `next`. */
export function restartOnlyChanges(running: ResolvedConfig, next: ResolvedConfig): string[] {
  return changedPaths(running.config, next.config).filter((p) => (RESTART_ONLY_PATHS as readonly string[]).includes(p));
}

/**
 * Why `next` cannot run while the restart-only keys keep their running values (a reload applies
 * the rest at once): `next` pinned to them, checked as a whole. Empty when it can, or when no
 * restart-only key changed.
 */
export function pinnedIssues(next: ResolvedConfig, running: ResolvedConfig, restartRequired: readonly string[] = restartOnlyChanges(running, next)): ConfigIssue[] {
  if (restartRequired.length === 0) return [];
  const issues = pinRestartOnly(next, running).checks.issues;
  const note = `the gateway keeps listening as started until a restart (${restartRequired.join(', ')} changed), and the rest of the new file is not valid with that`;
  return issues.map((i) => ({ ...i, message: `${i.message} (${note})`, fix: `${i.fix ?? 'correct it'}, or restart the gateway to apply the whole file` }));
}
