import { describe, expect, it } from 'vitest';
import { HIDDEN, isSecretKeys, isSecretPath, NOT_SET, redactSecrets, secretKeysIn, secretPathsIn } from './secrets.js';

describe('isSecretPath', () => {
  it.each([
    ['gateway.auth.token', true],
    ['gateway.auth.password', true],
    ['models.providers.openai.apiKey', true],
    ['models.providers.local-2.apiKey', true],
    ['models.providers.openai.apiKey.env', false],
    ['models.providers.apiKey', false],
    ['models.providers.openai.baseUrl', false],
    ['gateway.auth', false],
    ['gateway.auth.tokens', false],
  ])('%s -> %s', (path, want) => {
    expect(isSecretPath(path)).toBe(want);
  });
});

describe('redactSecrets', () => {
  const config = {
    gateway: { port: 1, auth: { mode: 'token', token: 'tok-secret' } },
    models: {
      providers: {
        openai: { baseUrl: 'https://api.openai.com/v1', apiKey: 'sk-inline-secret', models: ['m'] },
        other: { baseUrl: 'https://x/v1', apiKey: { env: 'OTHER_KEY' }, models: ['m'] },
        local: { baseUrl: 'http://127.0.0.1/v1', models: ['m'] },
      },
      default: 'openai/m',
    },
  };

  it('hides every secret in the whole config, inline keys of any provider included', () => {
    const shown = redactSecrets('', config) as typeof config;
    expect(JSON.stringify(shown)).not.toMatch(/tok-secret|sk-inline-secret/);
    expect(shown.gateway.auth.token).toBe(HIDDEN);
    expect(shown.models.providers.openai.apiKey).toBe(HIDDEN);
    expect(shown.models.providers.openai.baseUrl).toBe('https://api.openai.com/v1');
  });

  it('shows the name of a variable that holds a key: it is not the key', () => {
    expect((redactSecrets('', config) as typeof config).models.providers.other.apiKey).toEqual({ env: 'OTHER_KEY' });
  });

  it('redacts below the path asked for, and at it', () => {
    expect(redactSecrets('models.providers.openai', config.models.providers.openai)).toEqual({ baseUrl: 'https://api.openai.com/v1', apiKey: HIDDEN, models: ['m'] });
    expect(redactSecrets('models.providers.openai.apiKey', 'sk-inline-secret')).toBe(HIDDEN);
    expect(redactSecrets('models.providers.local.apiKey', undefined)).toBe(NOT_SET);
  });
});

describe('secretPathsIn', () => {
  it('lists inline secrets written in a file, not references to the environment', () => {
    expect(
      secretPathsIn({
        gateway: { auth: { token: 't' } },
        models: { providers: { a: { apiKey: 'sk-a' }, b: { apiKey: { env: 'B' } }, c: {} } },
      }),
    ).toEqual(['gateway.auth.token', 'models.providers.a.apiKey']);
    expect(secretPathsIn(undefined)).toEqual([]);
  });
});

describe('a provider whose name holds a "."', () => {
  // Provider names may contain "." (src/models/schema.ts); the secret below must still be found.
  const raw = { models: { providers: { 'my.llm': { baseUrl: 'http://127.0.0.1:1/v1', apiKey: 'sk-dotted-secret', models: ['m'] } }, default: 'my.llm/m' } };

  it('has its inline key hidden by redactSecrets', () => {
    expect(JSON.stringify(redactSecrets('', raw))).not.toContain('sk-dotted-secret');
    expect(JSON.stringify(redactSecrets('models', raw.models))).not.toContain('sk-dotted-secret');
  });

  it('has its inline key listed by secretPathsIn and secretKeysIn', () => {
    expect(secretPathsIn(raw)).toEqual(['models.providers.my.llm.apiKey']);
    expect(secretKeysIn(raw)).toEqual([['models', 'providers', 'my.llm', 'apiKey']]);
    expect(isSecretKeys(['models', 'providers', 'my.llm', 'apiKey'])).toBe(true);
  });
});
