/**
 * A last line of defence against a secret reaching the journal, whose entries can never be
 * changed or removed before retention takes them. Payloads are built by callers from redacted
 * data; this refuses a payload with a key that names a secret (`token`, `password`, `apiKey`,
 * `authorization`, `cookie`, ...) unless its value is a redaction placeholder or an `{ env: NAME }`
 * reference. Only keys are checked, never string values: values such as a claimed user name come
 * from the client, and a check on them would let a client keep its own refusal out of the journal.
 */
import { HIDDEN, NOT_SET } from '../config/secrets.js';
import { SECRET_PLACEHOLDER } from '../config/edit/placeholder.js';

/** Values that stand in for a secret: a key that names a secret may hold one of these. */
export const PLACEHOLDERS: ReadonlySet<string> = new Set([HIDDEN, NOT_SET, SECRET_PLACEHOLDER, '[redacted]']);

/** Key names (lowercased, without `_` and `-`) that hold a secret. */
const SECRET_KEYS = new Set([
  'token',
  'password',
  'passwd',
  'passphrase',
  'secret',
  'apikey',
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'credential',
  'credentials',
  'bearer',
  'privatekey',
  'sessionsecret',
]);

/** Suffixes that name a secret too: `accessToken`, `clientSecret`, `adminPassword`. */
const SECRET_SUFFIXES = ['token', 'secret', 'password', 'apikey', 'privatekey'];

/** True when a payload key names a secret. `tokens` (a count) and `sessionKey` do not. */
export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[-_]/g, '');
  return SECRET_KEYS.has(k) || SECRET_SUFFIXES.some((s) => k.endsWith(s));
}

function isEnvReference(value: unknown): boolean {
  return !!value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 1 && typeof (value as { env?: unknown }).env === 'string';
}

export class JournalSecretError extends Error {
  constructor(readonly path: string) {
    super(`journal payload key ${path} names a secret and holds a value that is not a placeholder; build the payload from redacted data (redactSecrets in src/config/secrets.ts), or rename a key that holds no secret`);
    this.name = 'JournalSecretError';
  }
}

/** Throws JournalSecretError naming the first secret-looking key holding a real value. */
export function assertNoSecrets(payload: unknown, path = ''): void {
  if (!payload || typeof payload !== 'object') return;
  if (Array.isArray(payload)) {
    payload.forEach((v, i) => assertNoSecrets(v, `${path}[${i}]`));
    return;
  }
  for (const [key, value] of Object.entries(payload)) {
    const here = path ? `${path}.${key}` : key;
    if (isSecretKey(key) && value !== undefined && value !== null && !(typeof value === 'string' && PLACEHOLDERS.has(value)) && !isEnvReference(value)) {
      throw new JournalSecretError(here);
    }
    assertNoSecrets(value, here);
  }
}
