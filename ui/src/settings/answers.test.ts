import { describe, expect, it } from 'vitest';
import { conflictRows, fieldOf, issuesByField, issuesOf, patchFromRaw, shown } from './answers.js';

describe('issues under their fields', () => {
  it.each([
    ['gateway.auth.trustedProxy.allowUsers[2]', 'allowUsers'],
    ['gateway.auth.trustedProxy.allowGroups', 'allowGroups'],
    ['gateway.trustedProxies[0]', 'trustedProxies'],
    ['gateway.authorization.rules[1].scopes[0]', 'rules.1'],
    ['gateway.authorization.defaultScopes', 'rules'],
    ['models.default', 'defaultModel'],
    ['models.providers.openai.baseUrl', 'providers.openai'],
    ['models.providers.my.llm.apiKey', 'providers.my.llm'],
    ['models.providers', 'providers'],
    ['gateway.bind', 'other'],
    ['', 'other'],
  ])('%s -> %s', (path, field) => {
    expect(fieldOf(path)).toBe(field);
  });

  it('groups the issues of a config_invalid answer, ignoring malformed entries', () => {
    const issues = issuesOf({ issues: [{ path: 'gateway.trustedProxies[0]', message: 'not an IP', fix: 'use an address' }, { path: 'gateway.bind', message: 'bad' }, { nope: 1 }, null] });
    expect(issues).toHaveLength(2);
    const grouped = issuesByField(issues);
    expect(grouped.get('trustedProxies')).toEqual([{ path: 'gateway.trustedProxies[0]', message: 'not an IP', fix: 'use an address' }]);
    expect(grouped.get('other')?.map((i) => i.path)).toEqual(['gateway.bind']);
    expect(issuesOf(undefined)).toEqual([]);
  });
});

describe('a conflict, both versions', () => {
  it('shows, for each path of your change, your value and the file\'s now', () => {
    const patch = { gateway: { auth: { trustedProxy: { allowUsers: ['alice'] } } }, models: { providers: { local: null } } };
    const yours = { gateway: { auth: { trustedProxy: { allowUsers: ['alice'] } } }, models: { providers: {} } };
    const now = { gateway: { auth: { trustedProxy: { allowUsers: ['alice', 'bob', 'carol'] } } }, models: { providers: { local: { baseUrl: 'x' } } } };
    expect(conflictRows(patch, yours, now)).toEqual([
      { path: 'gateway.auth.trustedProxy.allowUsers', yours: ['alice'], file: ['alice', 'bob', 'carol'] },
      { path: 'models.providers.local', yours: undefined, file: { baseUrl: 'x' } },
    ]);
    expect(shown(undefined)).toBe('(not set)');
    expect(shown(['a'])).toBe('["a"]');
  });
});

describe('the raw JSON5 view', () => {
  const original = { gateway: { port: 8080, auth: { token: '__mayros_secret__' } } };
  it('turns the edited text into a patch; the placeholder left as it is sends nothing for the secret', () => {
    const r = patchFromRaw(original, `{ // comment\n gateway: { port: 9090, auth: { token: '__mayros_secret__' } } }`);
    expect(r).toEqual({ ok: true, patch: { gateway: { port: 9090 } }, config: { gateway: { port: 9090, auth: { token: '__mayros_secret__' } } } });
    expect(patchFromRaw(original, JSON.stringify(original))).toMatchObject({ ok: true, patch: undefined });
  });
  it('says where the syntax is wrong, and refuses a file that is not an object', () => {
    expect(patchFromRaw(original, '{ gateway: ')).toMatchObject({ ok: false, message: expect.stringMatching(/^not valid JSON5 at line 1, column \d+/) });
    expect(patchFromRaw(original, '[1]')).toEqual({ ok: false, message: 'the file must hold an object, e.g. { gateway: { ... } }' });
  });
});
