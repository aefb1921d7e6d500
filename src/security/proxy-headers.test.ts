import { describe, expect, it } from 'vitest';
import { parseConfigObject } from '../config/parse.js';
import { describeProxyHeaders, proxyDecisionHeaders } from './proxy-headers.js';

const headers = (trustedProxy: Record<string, unknown>, mode = 'trusted-proxy') =>
  proxyDecisionHeaders(parseConfigObject({ gateway: { trustedProxies: ['127.0.0.1'], auth: { mode, trustedProxy } } }));

describe('proxyDecisionHeaders', () => {
  it('lists the user, groups and required headers, lowercased, each once', () => {
    expect(headers({ userHeader: 'X-Auth-Request-Email', groupsHeader: 'X-Auth-Request-Groups', requiredHeaders: ['X-Forwarded-Proto', 'x-auth-request-email'] })).toEqual([
      { name: 'x-auth-request-email', role: 'user' },
      { name: 'x-auth-request-groups', role: 'groups' },
      { name: 'x-forwarded-proto', role: 'required' },
    ]);
  });

  it("lists the assertion header (the preset's when none is named) and not a groups header the gateway then ignores", () => {
    expect(headers({ userHeader: 'x-pomerium-claim-email', groupsHeader: 'x-groups', assertion: { preset: 'pomerium', audience: 'mayros.example.com' } })).toEqual([
      { name: 'x-pomerium-claim-email', role: 'user' },
      { name: 'x-pomerium-jwt-assertion', role: 'assertion' },
    ]);
    expect(headers({ userHeader: 'x-u', assertion: { header: 'x-signed', jwksFile: '/k.json', issuer: 'i', audience: 'a', algorithms: ['ES256'] } })).toContainEqual({ name: 'x-signed', role: 'assertion' });
  });

  it('is empty outside trusted-proxy mode', () => {
    expect(headers({ userHeader: 'x-u', groupsHeader: 'x-g' }, 'token')).toEqual([]);
  });

  it('describes each header with its role', () => {
    expect(describeProxyHeaders(headers({ userHeader: 'x-u', groupsHeader: 'x-g', requiredHeaders: ['x-p'] }))).toBe('x-u (the user), x-g (the groups), x-p (required)');
  });
});
