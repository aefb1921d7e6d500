import { describe, expect, it } from 'vitest';
import jsonMergePatch from 'json-merge-patch';
import { configFromForm, formFromConfig, hideTypedKeys, keyOf, parseList, patchFromForm, patchPaths, SECRET_PLACEHOLDER } from './form.js';

const FILE = {
  gateway: {
    port: 8080,
    trustedProxies: ['10.0.0.5'],
    auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-user', allowUsers: ['alice@example.com', 'bob@example.com'] } },
    authorization: { rules: [{ users: ['alice@example.com'], scopes: ['operator.admin'] }] },
  },
  models: {
    providers: { openai: { baseUrl: 'https://api.openai.com/v1', apiKey: SECRET_PLACEHOLDER, models: ['gpt-4o'] }, local: { baseUrl: 'http://127.0.0.1:11434/v1', apiKey: { env: 'LOCAL_KEY' }, models: ['llama3.2'] } },
    default: 'openai/gpt-4o',
  },
};

describe('the settings form', () => {
  it('reads the common fields from the file', () => {
    const f = formFromConfig(FILE);
    expect(f.allowUsers).toEqual(['alice@example.com', 'bob@example.com']);
    expect(f.allowGroups).toEqual([]);
    expect(f.trustedProxies).toEqual(['10.0.0.5']);
    expect(f.rules).toEqual([{ users: ['alice@example.com'], groups: [], scopes: ['operator.admin'] }]);
    expect(f.providers.map((p) => [p.name, p.storedKey, p.newKey])).toEqual([
      ['openai', SECRET_PLACEHOLDER, ''],
      ['local', { env: 'LOCAL_KEY' }, ''],
    ]);
    expect(f.defaultModel).toBe('openai/gpt-4o');
  });

  it('makes no patch when nothing changed: a stored key is never sent back, an absent list is not added', () => {
    expect(patchFromForm(FILE, formFromConfig(FILE))).toBeUndefined();
    expect(patchFromForm({}, formFromConfig({}))).toBeUndefined();
  });

  it('patches only what changed: removing a colleague sends the new list and nothing else', () => {
    const f = formFromConfig(FILE);
    f.allowUsers = ['alice@example.com'];
    const patch = patchFromForm(FILE, f)!;
    expect(patch).toEqual({ gateway: { auth: { trustedProxy: { allowUsers: ['alice@example.com'] } } } });
    expect(patchPaths(patch)).toEqual(['gateway.auth.trustedProxy.allowUsers']);
    // Applied to the file, it gives exactly the form's config.
    expect(jsonMergePatch.apply(structuredClone(FILE), patch)).toEqual(configFromForm(FILE, f));
  });

  it('sends a typed key, an env reference as { env }, and keeps the stored one when the field is left empty', () => {
    const f = formFromConfig(FILE);
    f.providers[0]!.newKey = 'sk-new';
    f.providers[1]!.newKey = 'env:OTHER_KEY';
    expect(patchFromForm(FILE, f)).toEqual({ models: { providers: { openai: { apiKey: 'sk-new' }, local: { apiKey: { env: 'OTHER_KEY' } } } } });
    expect(keyOf({ ...f.providers[0]!, newKey: '  ' })).toBe(SECRET_PLACEHOLDER);
  });

  it('removes a provider with null, adds rules and groups, and drops an emptied rule field', () => {
    const f = formFromConfig(FILE);
    f.providers = f.providers.filter((p) => p.name !== 'local');
    f.allowGroups = ['ops'];
    f.rules.push({ users: [], groups: ['ops'], scopes: ['operator.read'] });
    expect(patchFromForm(FILE, f)).toEqual({
      gateway: { auth: { trustedProxy: { allowGroups: ['ops'] } }, authorization: { rules: [{ users: ['alice@example.com'], scopes: ['operator.admin'] }, { groups: ['ops'], scopes: ['operator.read'] }] } },
      models: { providers: { local: null } },
    });
  });

  it('reads list fields one entry per line, blank lines and spaces ignored', () => {
    expect(parseList(' alice@example.com \r\n\n bob@example.com\n  ')).toEqual(['alice@example.com', 'bob@example.com']);
    expect(parseList('')).toEqual([]);
  });
});

describe('hideTypedKeys', () => {
  it('hides a key typed in the form, keeps the placeholder and env references', () => {
    const f = formFromConfig(FILE);
    f.providers[0]!.newKey = 'sk-typed-secret';
    const shown = hideTypedKeys(configFromForm(FILE, f));
    expect(JSON.stringify(shown)).not.toContain('sk-typed-secret');
    expect((shown as any).models.providers.local.apiKey).toEqual({ env: 'LOCAL_KEY' });
  });
});
