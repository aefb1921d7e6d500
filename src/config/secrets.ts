/**
 * Which config keys hold secrets, and how to show a config without them. A secret is never
 * printed (`config get`) or logged; the name of an environment variable that holds one
 * (`apiKey: { env: "OPENAI_API_KEY" }`) is not a secret and is shown.
 */
import { SECRET_PATHS } from './schema.js';
import { isPlainObject } from './tree.js';

/** Shown in place of a secret that is set. */
export const HIDDEN = '(set, hidden)';
/** Shown for a secret key that is not set. */
export const NOT_SET = '(not set)';

const patterns = SECRET_PATHS.map((p) => p.split('.'));

/**
 * True when the keys, from the root, name a secret (`*` in a pattern matches any one key). Walk
 * objects with key lists, not dotted strings: a provider's name may itself hold a "."
 * (`models.providers["my.llm"].apiKey`), and its key must still be found.
 */
export function isSecretKeys(keys: readonly string[]): boolean {
  return patterns.some((p) => p.length === keys.length && p.every((seg, i) => seg === '*' || seg === keys[i]));
}

/** True when the dotted path names a secret (`*` in a pattern matches any one key). */
export function isSecretPath(path: string): boolean {
  return isSecretKeys(path.split('.'));
}

/** `{ env: "NAME" }`: a reference to a secret kept in the environment, not the secret. */
export function isEnvReference(value: unknown): boolean {
  return isPlainObject(value) && Object.keys(value).length === 1 && typeof value['env'] === 'string';
}

function redactAt(keys: readonly string[], value: unknown): unknown {
  if (isSecretKeys(keys)) {
    if (value === undefined) return NOT_SET;
    return isEnvReference(value) ? value : HIDDEN;
  }
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactAt([...keys, k], v)]));
  }
  return value;
}

/** A copy of `value` (found at dotted `path`, '' for the root) with every secret replaced. */
export function redactSecrets(path: string, value: unknown): unknown {
  return redactAt(path ? path.split('.') : [], value);
}

/**
 * The concrete dotted paths of secrets written as values in a raw config object (a parsed file):
 * `models.providers.openai.apiKey` for an inline key, not for an `{ env }` reference.
 */
export function secretPathsIn(raw: unknown): string[] {
  return secretKeysIn(raw).map((keys) => keys.join('.'));
}

/** {@link secretPathsIn} as key lists, for code that must tell `a.b` the provider from `a`, `b`. */
export function secretKeysIn(raw: unknown): string[][] {
  const out: string[][] = [];
  const walk = (value: unknown, keys: string[]): void => {
    if (keys.length && isSecretKeys(keys)) {
      if (value !== undefined && !isEnvReference(value)) out.push(keys);
      return;
    }
    if (isPlainObject(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, [...keys, k]);
    }
  };
  walk(raw, []);
  return out;
}
