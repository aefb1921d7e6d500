/**
 * Comparing two configs: which leaves changed, and which of them only a restart can apply.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Config } from '../config/schema.js';

/**
 * Keys a running gateway cannot change: the listening sockets (port, bind, customBindHost) and
 * the Control UI files, which are read into memory once at start.
 */
export const RESTART_ONLY_PATHS = ['gateway.port', 'gateway.bind', 'gateway.customBindHost', 'gateway.controlUi.enabled'] as const;

function leaves(value: unknown, prefix: string, out: Map<string, unknown>): void {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) leaves(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out.set(prefix, value);
  }
}

/** Dotted paths whose value differs (arrays compare as a whole). Names only: values may be secrets. */
export function changedPaths(a: Config, b: Config): string[] {
  const la = new Map<string, unknown>();
  const lb = new Map<string, unknown>();
  leaves(a, '', la);
  leaves(b, '', lb);
  const out: string[] = [];
  for (const key of new Set([...la.keys(), ...lb.keys()])) {
    if (!isDeepStrictEqual(la.get(key), lb.get(key))) out.push(key);
  }
  return out.sort();
}

function getAt(obj: Record<string, unknown>, path: string): unknown {
  let cur: unknown = obj;
  for (const k of path.split('.')) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined;
  return cur;
}

function setAt(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur = obj;
  for (const k of keys.slice(0, -1)) cur = cur[k] as Record<string, unknown>;
  const last = keys[keys.length - 1]!;
  if (value === undefined) delete cur[last];
  else cur[last] = value;
}

/**
 * The config that can actually run: `next` with the restart-only keys kept at their running
 * values. Returns a fresh (unfrozen) object.
 */
export function pinRestartOnly(next: Config, running: Config): Config {
  const out = structuredClone(next) as unknown as Record<string, unknown>;
  for (const path of RESTART_ONLY_PATHS) setAt(out, path, getAt(running as unknown as Record<string, unknown>, path));
  return out as unknown as Config;
}
