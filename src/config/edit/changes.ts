/**
 * What changed between two versions of the config file, leaf by leaf, with secrets named but
 * never shown: the journal records it, the console shows it.
 */
import { isDeepStrictEqual } from 'node:util';
import { isEnvReference, isSecretKeys } from '../secrets.js';
import { isPlainObject } from './paths.js';
import { SECRET_PLACEHOLDER } from './placeholder.js';

/** What a change shows of a value: a secret (not an env reference) as the placeholder. */
function shown(keys: readonly string[], value: unknown): unknown {
  return value !== undefined && isSecretKeys(keys) && !isEnvReference(value) ? SECRET_PLACEHOLDER : value;
}

/**
 * The leaves of a parsed file: arrays, empty objects and secrets (whatever their shape) are
 * leaves, as a list or a key is set as a whole.
 */
function leaves(value: unknown, keys: string[], out: Map<string, { keys: string[]; value: unknown }>): void {
  if (keys.length && isSecretKeys(keys)) {
    out.set(JSON.stringify(keys), { keys, value });
    return;
  }
  if (isPlainObject(value) && (Object.keys(value).length || !keys.length)) {
    for (const [k, v] of Object.entries(value)) leaves(v, [...keys, k], out);
    return;
  }
  if (keys.length) out.set(JSON.stringify(keys), { keys, value });
}

/** One changed value; `before`/`after` absent when the key was not set; secrets shown as the placeholder. */
export interface ConfigChange {
  path: string;
  before?: unknown;
  after?: unknown;
}

function isEmptyObject(value: unknown): boolean {
  return isPlainObject(value) && Object.keys(value).length === 0;
}

function isBelow(keys: readonly string[], parent: readonly string[]): boolean {
  return keys.length > parent.length && parent.every((k, i) => keys[i] === k);
}

/** What differs between two versions of the file, in path order. */
export function changesBetween(before: unknown, after: unknown): ConfigChange[] {
  const a = new Map<string, { keys: string[]; value: unknown }>();
  const b = new Map<string, { keys: string[]; value: unknown }>();
  leaves(before, [], a);
  leaves(after, [], b);
  const found: Array<{ keys: string[]; was: unknown; now: unknown }> = [];
  for (const id of new Set([...a.keys(), ...b.keys()])) {
    const was = a.get(id)?.value;
    const now = b.get(id)?.value;
    if (!isDeepStrictEqual(was, now)) found.push({ keys: (a.get(id) ?? b.get(id))!.keys, was, now });
  }
  // An object emptied (or filled) shows as the keys that left (or came), not also as "{}".
  const changes = found.filter(({ keys, was, now }) => {
    const emptied = (was === undefined && isEmptyObject(now)) || (now === undefined && isEmptyObject(was));
    return !emptied || !found.some((other) => isBelow(other.keys, keys));
  });
  return changes
    .map(({ keys, was, now }) => {
      const change: ConfigChange = { path: keys.join('.') };
      if (was !== undefined) change.before = shown(keys, was);
      if (now !== undefined) change.after = shown(keys, now);
      return change;
    })
    .sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}
