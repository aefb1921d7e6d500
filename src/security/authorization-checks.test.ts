import { describe, expect, it } from 'vitest';
import { parseConfigObject } from '../config/parse.js';
import { auditConfig } from './audit.js';
import type { CheckId, Finding, Severity } from './findings.js';

type Json = Record<string, unknown>;

/** A trusted-proxy gateway with the given trustedProxy extras and authorization section. */
function proxy(authorization: Json | undefined, trustedProxy: Json = {}): Json {
  return {
    trustedProxies: ['10.0.0.5'],
    bind: 'lan',
    auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user', requiredHeaders: ['x-forwarded-proto'], ...trustedProxy } },
    ...(authorization && { authorization }),
  };
}

const GROUPS_HEADER = { groupsHeader: 'x-forwarded-groups' };
const POMERIUM = { assertion: { preset: 'pomerium', audience: 'mayros.example.com' } };
const ADMIN_ALICE = { users: ['alice@example.com'], scopes: ['operator.admin'] };

function run(gateway: Json): Finding[] {
  return auditConfig(parseConfigObject({ gateway }), { sources: new Map() });
}

const cases: Array<{ name: string; gateway: Json; id: CheckId; severity: Severity | null; mentions?: string[] }> = [
  { name: 'defaultScopes admin behind a proxy', gateway: proxy({ defaultScopes: ['operator.admin'] }), id: 'gateway.authorization_default_admin', severity: 'critical', mentions: ['every user the proxy authenticates', 'defaultScopes to ["operator.read", "operator.write"]', ADMIN_RULE()] },
  { name: '... with an allowlist, says who', gateway: proxy({ defaultScopes: ['operator.read', 'operator.admin'] }, { allowUsers: ['a@example.com'] }), id: 'gateway.authorization_default_admin', severity: 'critical', mentions: ['every user allowUsers and allowGroups let in'] },
  { name: 'the trusted-proxy default is not admin', gateway: proxy(undefined), id: 'gateway.authorization_default_admin', severity: null },
  { name: 'admin by user rule', gateway: proxy({ rules: [ADMIN_ALICE] }), id: 'gateway.authorization_default_admin', severity: null },
  // Only the proxy's admitted users could ever match; allowGroups admitting that group is the operator's choice.
  { name: 'admin by a group that allowGroups also admits', gateway: proxy({ rules: [{ groups: ['admins'], scopes: ['operator.admin'] }] }, { ...POMERIUM, allowGroups: ['admins'] }), id: 'gateway.authorization_default_admin', severity: null },
  { name: 'token mode: admin is the default anyway', gateway: { auth: { mode: 'token', token: 'x'.repeat(40) }, authorization: { defaultScopes: ['operator.admin'] } }, id: 'gateway.authorization_default_admin', severity: null },

  {
    name: 'admin by a group from an unsigned header',
    gateway: proxy({ rules: [ADMIN_ALICE, { groups: ['admins', 'ops'], scopes: ['operator.admin'] }] }, GROUPS_HEADER),
    id: 'gateway.authorization_admin_group_unsigned',
    severity: 'warn',
    mentions: ['gateway.authorization.rules[1] grants', '"admins", "ops"', '"x-forwarded-groups"', 'groupsClaim', 'grant operator.admin by user'],
  },
  { name: 'write by a group from an unsigned header is not this check', gateway: proxy({ rules: [{ groups: ['ops'], scopes: ['operator.write'] }] }, GROUPS_HEADER), id: 'gateway.authorization_admin_group_unsigned', severity: null },
  { name: 'admin by a group from a signed assertion', gateway: proxy({ rules: [{ groups: ['admins'], scopes: ['operator.admin'] }] }, POMERIUM), id: 'gateway.authorization_admin_group_unsigned', severity: null },
  { name: 'admin by user with a groups header', gateway: proxy({ rules: [ADMIN_ALICE] }, GROUPS_HEADER), id: 'gateway.authorization_admin_group_unsigned', severity: null },

  { name: 'trusted-proxy without a section: nobody is admin', gateway: proxy(undefined), id: 'gateway.authorization_no_admin', severity: 'info', mentions: ['gives every admitted user operator.read and operator.write', 'nobody can change the gateway from the browser', ADMIN_RULE()] },
  { name: 'trusted-proxy, rules without admin', gateway: proxy({ defaultScopes: [], rules: [{ users: ['a'], scopes: ['operator.write'] }] }), id: 'gateway.authorization_no_admin', severity: 'info', mentions: ['nor does defaultScopes'] },
  { name: 'trusted-proxy with an admin rule', gateway: proxy({ rules: [ADMIN_ALICE] }), id: 'gateway.authorization_no_admin', severity: null },
  { name: 'token mode: the token holder is admin', gateway: { auth: { mode: 'token', token: 'x'.repeat(40) } }, id: 'gateway.authorization_no_admin', severity: null },
  { name: 'token mode with read-only defaultScopes', gateway: { auth: { mode: 'token', token: 'x'.repeat(40) }, authorization: { defaultScopes: ['operator.read'] } }, id: 'gateway.authorization_no_admin', severity: 'info', mentions: ['in token mode it is the only grant', 'remove defaultScopes'] },
  // Rules cannot match the nameless identity of the secret modes.
  { name: 'token mode: an admin rule does not count', gateway: { auth: { mode: 'token', token: 'x'.repeat(40) }, authorization: { defaultScopes: [], rules: [ADMIN_ALICE] } }, id: 'gateway.authorization_no_admin', severity: 'info' },

  { name: 'groups header that only grants scopes now warns', gateway: proxy({ rules: [{ groups: ['ops'], scopes: ['operator.write'] }] }, GROUPS_HEADER), id: 'gateway.trusted_proxy_groups_unsigned', severity: 'warn', mentions: ['grant scopes to members of "ops"'] },
];

function ADMIN_RULE(): string {
  return '{ users: ["you@example.com"], scopes: ["operator.admin"] }';
}

describe('authorization checks', () => {
  it.each(cases)('$name: $id -> $severity', ({ gateway, id, severity, mentions }) => {
    const f = run(gateway).find((x) => x.checkId === id);
    if (severity === null) {
      expect(f).toBeUndefined();
      return;
    }
    expect(f, `expected ${id}`).toBeDefined();
    expect(f!.severity).toBe(severity);
    for (const m of mentions ?? []) expect(`${f!.detail}\n${f!.remediation}`).toContain(m);
  });
});
