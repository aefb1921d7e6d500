/**
 * The secret placeholder: what the console sees in place of every secret written in the config
 * file, and what it sends back to mean "keep the secret stored there". A secret never leaves the
 * gateway through the editor, and a form saved unchanged never overwrites a key with this string.
 */
import { isSecretKeys, secretKeysIn } from '../secrets.js';
import type { ConfigIssue } from '../errors.js';
import { dottedPath, isPlainObject } from './paths.js';

/** Stands for a secret that is set in the file (inline token, password or provider key). */
export const SECRET_PLACEHOLDER = '__mayros_secret__';

/**
 * Keys a merge patch may not carry: json-merge-patch stops at them (a silent partial patch), and
 * none is a config key.
 */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Deeper than any config key (the deepest is 6 levels): refused before anything recurses into it. */
const MAX_DEPTH = 16;

function at(value: unknown, keys: readonly string[]): unknown {
  let cur = value;
  for (const k of keys) {
    if (!isPlainObject(cur) || !Object.hasOwn(cur, k)) return undefined;
    cur = cur[k];
  }
  return cur;
}

/**
 * A copy of the parsed file with every inline secret replaced by {@link SECRET_PLACEHOLDER}. A
 * reference to an environment variable (`apiKey: { env: "NAME" }`) is not a secret and stays.
 */
export function maskSecrets<T>(raw: T): T {
  const paths = secretKeysIn(raw);
  if (paths.length === 0) return raw;
  const copy = structuredClone(raw);
  for (const keys of paths) {
    const parent = at(copy, keys.slice(0, -1)) as Record<string, unknown>;
    parent[keys[keys.length - 1]!] = SECRET_PLACEHOLDER;
  }
  return copy;
}

export type SettledPatch = { ok: true; patch: Record<string, unknown> } | { ok: false; issues: ConfigIssue[] };

/**
 * Prepares a merge patch sent by the console for the file's `current` contents: a placeholder at
 * a secret's path is dropped (the stored secret stays as it is, byte for byte); a placeholder
 * anywhere else, or where no secret is stored, is refused, as are keys the patch library cannot
 * apply whole. The patch must be an object (a config file holds one).
 */
export function settlePlaceholders(patch: unknown, current: unknown): SettledPatch {
  if (!isPlainObject(patch)) {
    return { ok: false, issues: [{ path: '', message: 'the patch must be an object (an RFC 7396 merge patch of the config file)', fix: 'send e.g. { "gateway": { "auth": { "trustedProxy": { "allowUsers": ["alice@example.com"] } } } }' }] };
  }
  const issues: ConfigIssue[] = [];
  const walk = (value: unknown, keys: (string | number)[]): unknown => {
    if (keys.length > MAX_DEPTH) {
      issues.push({ path: dottedPath(keys.slice(0, MAX_DEPTH)), message: `the patch is nested deeper than ${MAX_DEPTH} levels, deeper than any config key`, fix: 'send only the keys you change' });
      return undefined;
    }
    if (value === SECRET_PLACEHOLDER) {
      const stringKeys = keys.every((k) => typeof k === 'string') ? (keys as string[]) : undefined;
      if (!stringKeys || !isSecretKeys(stringKeys)) {
        issues.push({ path: dottedPath(keys), message: `holds the secret placeholder "${SECRET_PLACEHOLDER}", which stands only for a secret already stored at its own key`, fix: 'send the real value for this key' });
      } else if (at(current, stringKeys) === undefined) {
        issues.push({ path: dottedPath(keys), message: `holds the secret placeholder "${SECRET_PLACEHOLDER}", but no secret is stored there to keep`, fix: 'send the secret itself, or leave the key out' });
      }
      return undefined;
    }
    if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, [...keys, i]));
      return value;
    }
    if (!isPlainObject(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (FORBIDDEN_KEYS.has(k)) {
        issues.push({ path: dottedPath([...keys, k]), message: `"${k}" is not a config key and cannot be set through a patch`, fix: 'remove it from the patch' });
        continue;
      }
      const settled = walk(v, [...keys, k]);
      if (settled !== undefined) out[k] = settled;
    }
    return out;
  };
  const settled = walk(patch, []) as Record<string, unknown>;
  return issues.length ? { ok: false, issues } : { ok: true, patch: settled };
}
