import { describe, expect, it } from 'vitest';
import { viaTcp } from '../net/transport.js';
import { parseConfigObject } from '../config/parse.js';
import { validated } from '../config/validate.js';
import { authorize } from './authorize.js';
import { compileAuthPolicy } from './policy.js';

const policyOf = (gateway: Record<string, unknown>) => compileAuthPolicy(validated(parseConfigObject({ gateway })));
const FORWARDING = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port', 'x-forwarded-server', 'x-real-ip', 'via'];

describe('compileAuthPolicy: one shape per mode', () => {
  it('trusted-proxy: decides at the upgrade and reads (and keeps for re-checks) its identity headers only', () => {
    const p = policyOf({
      trustedProxies: ['10.0.0.1'],
      auth: { mode: 'trusted-proxy', token: 'configured-but-unused-token', trustedProxy: { userHeader: 'x-user', requiredHeaders: ['x-proto'], groupsHeader: 'x-groups' } },
    });
    expect(p).toMatchObject({ mode: 'trusted-proxy', decidesAt: 'upgrade', headers: ['x-proto', 'x-user', 'x-groups'], sessionHeaders: ['x-proto', 'x-user', 'x-groups'] });
    expect('token' in p).toBe(false);
  });

  it('trusted-proxy with an assertion reads its header too', () => {
    const p = policyOf({
      trustedProxies: ['10.0.0.1'],
      auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-user', assertion: { preset: 'google-iap', audience: '/projects/1/apps/p' } } },
    });
    expect(p.headers).toEqual(['x-user', 'x-goog-iap-jwt-assertion']);
  });

  it.each(['token', 'password'] as const)('%s: decides on connect, reads the credential and forwarding headers, keeps none', (mode) => {
    const p = policyOf({ trustedProxies: ['10.0.0.1'], auth: { mode, [mode]: 'a-long-enough-secret-0123', trustedProxy: { userHeader: 'x-user' } } });
    expect(p).toMatchObject({ mode, decidesAt: 'connect', headers: ['authorization', ...FORWARDING], sessionHeaders: [] });
    expect('userHeader' in p).toBe(false);
  });

  it('none: decides at the upgrade and reads nothing', () => {
    expect(policyOf({ auth: { mode: 'none' } })).toMatchObject({ mode: 'none', decidesAt: 'upgrade', headers: [], sessionHeaders: [] });
  });
});

describe('compileAuthPolicy: cannot fail, and fails closed on what startup refuses', () => {
  it('builds from a config whose assertion does not resolve, without it (startup refuses that config)', () => {
    const v = validated(parseConfigObject({ gateway: { trustedProxies: ['10.0.0.1'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-user', assertion: { header: 'x-jwt' } } } } }));
    expect(v.checks.issues.map((i) => i.path)).toContain('gateway.auth.trustedProxy.assertion.issuer');
    expect(() => compileAuthPolicy(v)).not.toThrow();
  });

  it('leaves out trustedProxies entries that are not addresses', () => {
    const p = policyOf({ trustedProxies: ['proxy.example.com', '10.0.0.1'], auth: { mode: 'none' } });
    expect(p.trustedProxies.entries.map((e) => e.source)).toEqual(['10.0.0.1']);
  });

  it('refuses everyone in trusted-proxy mode without a userHeader', () => {
    const p = policyOf({ trustedProxies: ['10.0.0.1'], auth: { mode: 'trusted-proxy' } });
    expect(authorize({ via: viaTcp('10.0.0.1'), headers: { undefined: 'alice' }, surface: 'http' }, p)).toEqual({ ok: false, failure: { reason: 'trusted_proxy_user_missing' } });
  });
});
