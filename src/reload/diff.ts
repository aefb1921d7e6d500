/**
 * Comparing two configs: which leaves changed, and which of them only a restart can apply.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Config } from '../config/schema.js';
import { resolvedConfig, type ResolvedConfig } from '../config/load.js';
import type { ConfigIssue } from '../config/errors.js';
import { getPath, leaves, setPath } from '../config/tree.js';

/**
 * Keys a running gateway cannot change: the listening sockets (port, bind, customBindHost, the
 * Unix socket as a whole: its path, mode and group are applied when it is created) and the
 * Control UI files, which are read into memory once at start; the metrics listener likewise.
 */
export const RESTART_ONLY_PATHS = ['gateway.port', 'gateway.bind', 'gateway.customBindHost', 'gateway.listen.unixSocket', 'gateway.controlUi.enabled', 'gateway.metrics.enabled', 'gateway.metrics.listen'] as const;

/**
 * Keys whose presence only a restart can change: TLS on or off changes the kind of listener. While
 * it stays on, its files (and changes to its paths) are applied live (src/reload/tls-material.ts).
 */
export const RESTART_ONLY_PRESENCE = ['gateway.tls'] as const;

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

/** The restart-only keys (RESTART_ONLY_PATHS, RESTART_ONLY_PRESENCE) that differ between `running` and `next`. */
export function restartOnlyChanges(running: Config, next: Config): string[] {
  return [
    ...RESTART_ONLY_PATHS.filter((p) => !isDeepStrictEqual(getPath(running, p), getPath(next, p))),
    ...RESTART_ONLY_PRESENCE.filter((p) => (getPath(running, p) === undefined) !== (getPath(next, p) === undefined)),
  ];
}

const under = (prefix: string) => (path: string) => path === prefix || path.startsWith(`${prefix}.`);

/**
 * The config that can actually run: `next` with the restart-only keys that changed (and their
 * sources) kept at their running values; each is a key or a whole object.
 */
export function pinRestartOnly(next: ResolvedConfig, running: ResolvedConfig, paths: readonly string[] = restartOnlyChanges(running.config, next.config)): ResolvedConfig {
  const tree = structuredClone(next.config) as unknown as Record<string, unknown>;
  const sources = new Map(next.sources);
  for (const path of paths) {
    setPath(tree, path, structuredClone(getPath(running.config, path)));
    const inside = under(path);
    for (const key of [...sources.keys()]) if (inside(key)) sources.delete(key);
    for (const [key, source] of running.sources) if (inside(key)) sources.set(key, source);
  }
  return resolvedConfig({ ...next, config: tree as unknown as Config, sources });
}

/**
 * Why `next` cannot run while the restart-only keys keep their running values (a reload applies
 * the rest at once): `next` pinned to them, checked as a whole. Empty when it can, or when no
 * restart-only key changed.
 */
export function pinnedIssues(next: ResolvedConfig, running: ResolvedConfig, restartRequired: readonly string[] = restartOnlyChanges(running.config, next.config)): ConfigIssue[] {
  if (restartRequired.length === 0) return [];
  const issues = pinRestartOnly(next, running, restartRequired).checks.issues;
  const note = `the gateway keeps listening as started until a restart (${restartRequired.join(', ')} changed), and the rest of the new file is not valid with that`;
  return issues.map((i) => ({ ...i, message: `${i.message} (${note})`, fix: `${i.fix ?? 'correct it'}, or restart the gateway to apply the whole file` }));
}
