import { describe, expect, it } from 'vitest';
import { parseConfigObject } from '../config/parse.js';
import { auditConfig } from './audit.js';
import type { Finding } from './findings.js';

function audit(trustedProxy: Record<string, unknown>, mode = 'trusted-proxy'): Finding[] {
  return auditConfig(parseConfigObject({ gateway: { trustedProxies: ['10.0.0.5'], bind: 'lan', auth: { mode, trustedProxy: { userHeader: 'x-forwarded-user', ...trustedProxy } } } }), { sources: new Map() });
}

const ids = (f: Finding[]) => f.map((x) => `${x.severity} ${x.checkId}`);

describe('assertion checks', () => {
  it('recommends an assertion in trusted-proxy mode without one', () => {
    const f = audit({ allowUsers: ['nick@example.com'] }).find((x) => x.checkId === 'gateway.trusted_proxy_no_assertion');
    expect(f?.severity).toBe('info');
    expect(f?.remediation).toContain('docs/signed-assertions.md');
    expect(f?.remediation).toContain('Nothing to do if it does not');
  });

  it.each([
    ['x-pomerium-claim-email', 'pomerium'],
    ['cf-access-authenticated-user-email', 'cloudflare-access'],
    ['x-goog-authenticated-user-email', 'google-iap'],
  ])('names the preset when the identity header is %s', (userHeader, preset) => {
    const f = audit({ userHeader }).find((x) => x.checkId === 'gateway.trusted_proxy_no_assertion');
    expect(f?.remediation).toContain(`preset: "${preset}"`);
  });

  it('recognises Pomerium from its assertion header listed as merely required', () => {
    const f = audit({ requiredHeaders: ['x-pomerium-jwt-assertion'] }).find((x) => x.checkId === 'gateway.trusted_proxy_no_assertion');
    expect(f?.remediation).toContain('preset: "pomerium"');
  });

  it('says nothing about assertions with one configured over https, or outside trusted-proxy mode', () => {
    expect(ids(audit({ assertion: { preset: 'pomerium', audience: 'm.example.com' } })).filter((x) => x.includes('assertion'))).toEqual([]);
    expect(ids(audit({}, 'token')).filter((x) => x.includes('assertion'))).toEqual([]);
  });

  it('flags a plain-http key URL to a remote host as critical', () => {
    const f = audit({ assertion: { preset: 'pomerium', audience: 'm.example.com', jwksUrl: 'http://keys.example.com/jwks.json' } });
    const hit = f.find((x) => x.checkId === 'gateway.trusted_proxy_assertion_key_url_insecure');
    expect(hit?.severity).toBe('critical');
    expect(hit?.detail).toContain('http://keys.example.com/jwks.json');
    // The gateway would not start either, and the audit says so.
    expect(f.some((x) => x.checkId === 'gateway.config_startup_refused')).toBe(true);
  });

  it.each(['http://127.0.0.1:8080/jwks', 'http://[::1]/jwks', 'https://keys.example.com/jwks'])('accepts key URL %s', (jwksUrl) => {
    expect(ids(audit({ assertion: { preset: 'pomerium', audience: 'm.example.com', jwksUrl } }))).not.toContain('critical gateway.trusted_proxy_assertion_key_url_insecure');
  });

  it('does not ask for required headers when an assertion is verified', () => {
    expect(ids(audit({}))).toContain('info gateway.trusted_proxy_no_required_headers');
    expect(ids(audit({ assertion: { preset: 'pomerium', audience: 'm.example.com' } }))).not.toContain('info gateway.trusted_proxy_no_required_headers');
  });

  it('does not report "any user" when allowGroups restricts', () => {
    expect(ids(audit({ groupsHeader: 'x-groups', allowGroups: ['ops'] }))).not.toContain('warn gateway.trusted_proxy_any_user');
    expect(ids(audit({}))).toContain('warn gateway.trusted_proxy_any_user');
  });
});
