import { describe, expect, it } from 'vitest';
import { resolveConfig, type ResolvedConfig } from '../config/load.js';
import type { Identity } from '../protocol/identity.js';
import { lockoutOf } from './lockout.js';

const ALICE: Identity = { user: 'alice@example.com', method: 'trusted-proxy', groups: ['ops'] };

function proxyConfig(tp: Record<string, unknown>, authorization: Record<string, unknown> = { rules: [{ users: ['alice@example.com'], scopes: ['operator.admin'] }] }): ResolvedConfig {
  return resolveConfig(
    { gateway: { trustedProxies: ['127.0.0.1'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-user', groupsHeader: 'x-groups', ...tp } }, authorization } },
    '/tmp/mayros.json',
    { env: {} },
  );
}

const CURRENT = proxyConfig({ allowUsers: ['alice@example.com', 'bob@example.com'] });

describe('lockoutOf', () => {
  it('lets a change through that keeps the caller allowed in and an admin', () => {
    expect(lockoutOf(ALICE, CURRENT, proxyConfig({ allowUsers: ['alice@example.com'] }))).toBeUndefined();
    // Allowed through a group, or by an empty allowlist.
    expect(lockoutOf(ALICE, CURRENT, proxyConfig({ allowUsers: ['bob@example.com'], allowGroups: ['ops'] }))).toBeUndefined();
    expect(lockoutOf(ALICE, CURRENT, proxyConfig({}))).toBeUndefined();
    // An admin through a group rule.
    expect(lockoutOf(ALICE, CURRENT, proxyConfig({ allowUsers: ['alice@example.com'] }, { rules: [{ groups: ['ops'], scopes: ['operator.admin'] }] }))).toBeUndefined();
  });

  it.each([
    ['removed from allowUsers', proxyConfig({ allowUsers: ['bob@example.com'] }), /"alice@example\.com" would no longer be allowed in: not in gateway\.auth\.trustedProxy\.allowUsers/],
    ['her group dropped from allowGroups', proxyConfig({ allowUsers: ['bob@example.com'], allowGroups: ['dev'] }), /no longer be allowed in/],
    ['allowed by a group, but the groups header removed', proxyConfig({ groupsHeader: undefined, allowGroups: ['ops'] }), /no longer be allowed in/],
    ['her admin rule removed', proxyConfig({ allowUsers: ['alice@example.com'] }, { rules: [] }), /^you would no longer be an admin \(gateway\.authorization would give you operator\.read, operator\.write\)/],
    ['admin only through a group rule while the groups header goes', proxyConfig({ groupsHeader: undefined }, { rules: [{ groups: ['ops'], scopes: ['operator.admin'] }] }), /no longer be an admin/],
    ['another identity header', proxyConfig({ userHeader: 'x-email', allowUsers: ['alice@example.com'] }), /userHeader would change from "x-user" to "x-email"/],
    ['another auth mode', resolveConfig({ gateway: { auth: { mode: 'token', token: 'a-long-enough-token-1234567890' } } }, '/tmp/mayros.json', { env: {} }), /gateway\.auth\.mode would change to "token"/],
  ])('refuses a change that locks the caller out: %s', (_name, next, why) => {
    expect(lockoutOf(ALICE, CURRENT, next)).toMatch(why);
  });

  it('compares names as the decision does (NFC)', () => {
    const composed: Identity = { user: 'jos\u00e9@example.com', method: 'trusted-proxy', groups: [] };
    const next = proxyConfig({ allowUsers: ['jose\u0301@example.com'] }, { rules: [{ users: ['jose\u0301@example.com'], scopes: ['operator.admin'] }] });
    expect(lockoutOf(composed, next, next)).toBeUndefined();
  });

  it('in token and password mode, refuses a change of the secret the caller signed in with, never naming it', () => {
    const token = (t?: string) => resolveConfig({ gateway: { auth: { mode: 'token', ...(t && { token: t }) } } }, '/tmp/mayros.json', { env: {} });
    const caller: Identity = { user: null, method: 'token', groups: [] };
    const was = token('old-token-0123456789abcdef');
    expect(lockoutOf(caller, was, token('old-token-0123456789abcdef'))).toBeUndefined();
    const why = lockoutOf(caller, was, token('new-token-0123456789abcdef'));
    expect(why).toMatch(/gateway\.auth\.token would change/);
    expect(why).not.toContain('token-0123456789abcdef');
    // Left out of the file: the generated token in the state directory stays.
    expect(lockoutOf(caller, was, token())).toBeUndefined();
    const password = (p: string) => resolveConfig({ gateway: { auth: { mode: 'password', password: p } } }, '/tmp/mayros.json', { env: {} });
    expect(lockoutOf({ user: null, method: 'password', groups: [] }, password('hunter2hunter2'), password('correct-horse'))).toMatch(/gateway\.auth\.password would change/);
  });
});
