/**
 * Which config keys hold secrets, and how to show a config without them. A secret is never
 * printed (`config get`) or logged; the name of an environment variable that holds one
 * (`apiKey: { env: "OPENAI_API_KEY" }`) is not a secret and is shown.
 */
import { SECRET_PATHS } from './schema.js';
import { childPath, isPlainObject, walk } from './tree.js';

/** Shown in place of a secret that is set. */
export const HIDDEN = '(set, hidden)';
/** Shown for a secret key that is not set. */
export const NOT_SET = '(not set)';

const patterns = SECRET_PATHS.map((p) => p.split('.'));

/** True when the dotted path names a secret (`*` in a pattern matches any one key). */
export function isSecretPath(path: string): boolean {
  const keys = path.split('.');
  return patterns.some((p) => p.length === keys.length && p.every((seg, i) => seg === '*' || seg === keys[i]));
}

/** `{ env: "NAME" }`: a reference to a secret kept in the environment, not the secret. */
function isEnvReference(value: unknown): boolean {
  return isPlainObject(value) && Object.keys(value).length === 1 && typeof value['env'] === 'string';
}

/** A copy of `value` (found at dotted `path`, '' for the root) with every secret replaced. */
export function redactSecrets(path: string, value: unknown): unknown {
  if (isSecretPath(path)) {
    if (value === undefined) return NOT_SET;
    return isEnvReference(value) ? value : HIDDEN;
  }
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSecrets(childPath(path, k), v)]));
  }
  return value;
}

/**
 * The concrete dotted paths of secrets written as values in a raw config object (a parsed file):
 * `models.providers.openai.apiKey` for an inline key, not for an `{ env }` reference.
 */
export function secretPathsIn(raw: unknown): string[] {
  const out: string[] = [];
  walk(raw, '', (path, value) => {
    if (!path || !isSecretPath(path)) return true;
    if (value !== undefined && !isEnvReference(value)) out.push(path);
    return false;
  });
  return out;
}
