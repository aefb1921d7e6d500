import { describe, expect, it } from 'vitest';
import { HIDDEN, NOT_SET } from '../config/secrets.js';
import { SECRET_PLACEHOLDER } from '../config/edit/placeholder.js';
import { assertNoSecrets, isSecretKey, JournalSecretError } from './guard.js';

describe('isSecretKey', () => {
  it.each(['token', 'Token', 'password', 'apiKey', 'api_key', 'Authorization', 'cookie', 'set-cookie', 'accessToken', 'clientSecret', 'adminPassword', 'credentials', 'gateway.auth.token', 'private_key'])('%s names a secret', (k) => {
    expect(isSecretKey(k)).toBe(true);
  });
  it.each(['tokens', 'usage', 'sessionKey', 'idempotencyKey', 'user', 'reason', 'peer', 'method', 'hash', 'baseHash', 'paths', 'prompt', 'completion'])('%s does not', (k) => {
    expect(isSecretKey(k)).toBe(false);
  });
});

describe('assertNoSecrets', () => {
  it('refuses a secret-named key with a real value, naming its path and never the value', () => {
    const err = (() => {
      try {
        assertNoSecrets({ before: { 'gateway.auth': { mode: 'token', token: 'hunter2-real-secret' } } });
      } catch (e) {
        return e as Error;
      }
      throw new Error('not refused');
    })();
    expect(err).toBeInstanceOf(JournalSecretError);
    expect(err.message).toContain('before.gateway.auth.token');
    expect(err.message).not.toContain('hunter2');
  });

  it('finds a secret inside an array', () => {
    expect(() => assertNoSecrets({ items: [{ ok: 1 }, { password: 'x' }] })).toThrow('items[1].password');
  });

  it('accepts placeholders, an { env } reference, null and absent values under secret-named keys', () => {
    expect(() =>
      assertNoSecrets({
        before: { 'gateway.auth.token': HIDDEN, 'gateway.auth.password': NOT_SET, 'models.providers.local.apiKey': SECRET_PLACEHOLDER },
        after: { 'models.providers.openai.apiKey': { env: 'OPENAI_API_KEY' }, 'gateway.auth.token': '[redacted]', cookie: null, secret: undefined },
      }),
    ).not.toThrow();
  });

  it('never looks at values: a client-chosen name that looks like a credential is still journaled', () => {
    expect(() => assertNoSecrets({ claimedUser: 'Bearer abc.def.ghi', peer: '127.0.0.2' })).not.toThrow();
  });
});
