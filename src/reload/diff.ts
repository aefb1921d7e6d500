/**
 * Comparing two configs: which leaves changed, and which of them only a restart can apply.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Config } from '../config/schema.js';
import { withValues, type ResolvedConfig } from '../config/load.js';
import { getPath, leaves } from '../config/tree.js';

/**
 * Keys a running gateway cannot change: the listening sockets (port, bind, customBindHost) and
 * the Control UI files, which are read into memory once at start; the metrics listener likewise.
 */
export const RESTART_ONLY_PATHS = ['gateway.port', 'gateway.bind', 'gateway.customBindHost', 'gateway.controlUi.enabled', 'gateway.metrics.enabled', 'gateway.metrics.listen'] as const;

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
