import { describe, expect, it } from 'vitest';
import { ConfigError, type ConfigIssue } from './errors.js';
import { parseConfigObject } from './parse.js';
import { validateForStartup } from './validate.js';

/** The issues a gateway section is refused with by the schema. */
function refused(gateway: unknown): ConfigIssue[] {
  try {
    parseConfigObject({ gateway });
  } catch (e) {
    if (e instanceof ConfigError) return [...e.issues];
    throw e;
  }
  throw new Error('expected a ConfigError');
}

const PROXY = { trustedProxies: ['127.0.0.1'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user' } } };

describe('gateway.authorization: schema', () => {
  it('accepts the documented example', () => {
    const c = parseConfigObject({
      gateway: {
        ...PROXY,
        auth: { ...PROXY.auth, trustedProxy: { userHeader: 'x-forwarded-user', groupsHeader: 'x-forwarded-groups' } },
        authorization: {
          defaultScopes: ['operator.read', 'operator.write'],
          rules: [
            { users: ['alice@example.com'], scopes: ['operator.admin'] },
            { groups: ['mayros-operators'], scopes: ['operator.write'] },
            { groups: ['auditors'], scopes: ['operator.read'] },
          ],
        },
      },
    });
    expect(c.gateway.authorization?.rules).toHaveLength(3);
    expect(validateForStartup(c)).toEqual([]);
  });

  it('is optional, and rules default to none', () => {
    expect(parseConfigObject({}).gateway.authorization).toBeUndefined();
    expect(parseConfigObject({ gateway: { authorization: {} } }).gateway.authorization).toEqual({ rules: [] });
    expect(parseConfigObject({ gateway: { authorization: { defaultScopes: [] } } }).gateway.authorization).toEqual({ defaultScopes: [], rules: [] });
  });

  it.each<[string, unknown, string, string, string]>([
    ['a typo in defaultScopes', { defaultScopes: ['operator.raed'] }, 'gateway.authorization.defaultScopes[0]', 'unknown scope "operator.raed"', 'did you mean "operator.read"?'],
    ['a short name in a rule', { rules: [{ users: ['a'], scopes: ['operator.read', 'admin'] }] }, 'gateway.authorization.rules[0].scopes[1]', 'unknown scope "admin"', 'did you mean "operator.admin"?'],
    ['letter case', { rules: [{ groups: ['g'], scopes: ['Operator.Write'] }] }, 'gateway.authorization.rules[0].scopes[0]', 'unknown scope "Operator.Write"', 'did you mean "operator.write"?'],
    ['a name from elsewhere', { defaultScopes: ['chat'] }, 'gateway.authorization.defaultScopes[0]', 'unknown scope "chat"', 'use one of operator.admin, operator.read, operator.write'],
  ])('refuses %s, naming the field and the fix', (_name, authorization, path, message, fix) => {
    const found = refused({ authorization });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ path, message });
    expect(found[0]!.fix).toContain(fix);
  });

  it('refuses a rule that names nobody, pointing at defaultScopes', () => {
    for (const rule of [{ scopes: ['operator.read'] }, { users: [], groups: [], scopes: ['operator.read'] }]) {
      const [issue, ...rest] = refused({ authorization: { rules: [rule] } });
      expect(rest).toEqual([]);
      expect(issue).toMatchObject({ path: 'gateway.authorization.rules[0]', message: 'names no user and no group, so it would match nobody' });
      expect(issue!.fix).toContain('gateway.authorization.defaultScopes');
    }
  });

  it('refuses a rule that grants nothing', () => {
    const [issue] = refused({ authorization: { rules: [{ users: ['a'], scopes: [] }] } });
    expect(issue).toMatchObject({ path: 'gateway.authorization.rules[0].scopes', message: 'grants no scope, so the rule has no effect' });
    expect(issue!.fix).toContain('or remove the rule');
  });

  it.each(['users', 'groups'])('refuses "*" in %s: names are matched exactly', (key) => {
    const [issue] = refused({ authorization: { rules: [{ [key]: ['ok', '*'], scopes: ['operator.admin'] }] } });
    expect(issue!.path).toBe(`gateway.authorization.rules[0].${key}[1]`);
    expect(issue!.message).toContain('is not a wildcard');
    expect(issue!.fix).toContain('defaultScopes');
  });

  it('refuses blank names and unknown keys with did-you-mean', () => {
    expect(refused({ authorization: { rules: [{ users: [' '], scopes: ['operator.read'] }] } })[0]).toMatchObject({ path: 'gateway.authorization.rules[0].users[0]', message: 'must not be empty' });
    expect(refused({ authorization: { rules: [{ user: ['a'], users: ['a'], scopes: ['operator.read'] }] } })[0]).toMatchObject({ path: 'gateway.authorization.rules[0].user', fix: 'did you mean "users"?' });
    expect(refused({ authorization: { defaultScope: [] } })[0]).toMatchObject({ path: 'gateway.authorization.defaultScope', fix: 'did you mean "defaultScopes"?' });
    expect(refused({ authorisation: {} })[0]).toMatchObject({ path: 'gateway.authorisation', fix: 'did you mean "authorization"?' });
  });
});

describe('gateway.authorization: startup', () => {
  const rules = [{ users: ['alice@example.com'], scopes: ['operator.admin'] }, { groups: ['admins'], scopes: ['operator.admin'] }];

  it('refuses a group rule without a groups source, as allowGroups', () => {
    const issues = validateForStartup(parseConfigObject({ gateway: { ...PROXY, authorization: { rules } } }));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: 'gateway.authorization.rules[1].groups' });
    expect(issues[0]!.fix).toContain('groupsHeader');
  });

  it('asks for the groups claim when an assertion has none', () => {
    const auth = { ...PROXY.auth, trustedProxy: { userHeader: 'x-forwarded-user', assertion: { preset: 'cloudflare-access', issuer: 'https://t.cloudflareaccess.com', audience: 'aud-tag' } } };
    const issues = validateForStartup(parseConfigObject({ gateway: { ...PROXY, auth, authorization: { rules } } }));
    expect(issues.map((i) => i.path)).toEqual(['gateway.authorization.rules[1].groups']);
    expect(issues[0]!.fix).toContain('groupsClaim');
  });

  it.each([
    ['a groups header', { userHeader: 'x-forwarded-user', groupsHeader: 'x-forwarded-groups' }],
    ['an assertion whose preset has a groups claim', { userHeader: 'x-forwarded-user', assertion: { preset: 'pomerium', audience: 'mayros.example.com' } }],
  ])('starts with %s', (_name, trustedProxy) => {
    expect(validateForStartup(parseConfigObject({ gateway: { ...PROXY, auth: { ...PROXY.auth, trustedProxy }, authorization: { rules } } }))).toEqual([]);
  });

  it('has nothing to say about user rules alone', () => {
    expect(validateForStartup(parseConfigObject({ gateway: { ...PROXY, authorization: { rules: [rules[0]] } } }))).toEqual([]);
  });
});
