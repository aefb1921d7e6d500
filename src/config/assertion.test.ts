import { describe, expect, it } from 'vitest';
import { resolveAssertion, type ResolvedAssertion } from './assertion.js';
import { keyUrlProblem } from './key-url.js';
import { parseConfigObject } from './parse.js';
import { validateForStartup } from './validate.js';
import { ConfigError } from './errors.js';

const BASE = 'gateway.auth.trustedProxy.assertion';

function tpConfig(trustedProxy: Record<string, unknown>) {
  return parseConfigObject({
    gateway: { trustedProxies: ['127.0.0.1'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user', ...trustedProxy } } },
  });
}

/** Startup issues as "path: message" lines. */
function issues(trustedProxy: Record<string, unknown>): string[] {
  return validateForStartup(tpConfig(trustedProxy)).map((i) => `${i.path}: ${i.message}`);
}

function resolved(assertion: Record<string, unknown>): ResolvedAssertion {
  const a = tpConfig({ assertion }).gateway.auth.trustedProxy.assertion!;
  const r = resolveAssertion(a);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
}

describe('assertion presets', () => {
  it('pomerium: everything from the route host', () => {
    expect(resolved({ preset: 'pomerium', audience: 'mayros.example.com' })).toEqual({
      preset: 'pomerium',
      header: 'x-pomerium-jwt-assertion',
      keys: { kind: 'url', url: 'https://mayros.example.com/.well-known/pomerium/jwks.json' },
      issuer: 'mayros.example.com',
      audience: ['mayros.example.com'],
      algorithms: ['ES256'],
      userClaim: 'email',
      groupsClaim: 'groups',
      userHeaderPrefix: undefined,
      clockToleranceSec: 30,
      maxTokenBytes: 8192,
    });
  });

  it('cloudflare-access: keys from the team domain, the AUD tag as audience', () => {
    const r = resolved({ preset: 'cloudflare-access', issuer: 'https://acme.cloudflareaccess.com', audience: 'a'.repeat(64) });
    expect(r).toMatchObject({
      header: 'cf-access-jwt-assertion',
      keys: { kind: 'url', url: 'https://acme.cloudflareaccess.com/cdn-cgi/access/certs' },
      issuer: 'https://acme.cloudflareaccess.com',
      algorithms: ['RS256'],
      userClaim: 'email',
      groupsClaim: undefined,
    });
  });

  it('google-iap: fixed issuer and keys, prefix stripped from the identity header', () => {
    const r = resolved({ preset: 'google-iap', audience: '/projects/123456/global/backendServices/987' });
    expect(r).toMatchObject({
      header: 'x-goog-iap-jwt-assertion',
      keys: { kind: 'url', url: 'https://www.gstatic.com/iap/verify/public_key-jwk' },
      issuer: 'https://cloud.google.com/iap',
      algorithms: ['ES256'],
      userHeaderPrefix: 'accounts.google.com:',
    });
    expect(resolved({ preset: 'google-iap', audience: '/projects/123456/apps/my-app' }).audience).toEqual(['/projects/123456/apps/my-app']);
  });

  it('explicit keys win over the preset', () => {
    const r = resolved({ preset: 'pomerium', audience: 'mayros.example.com', algorithms: ['EdDSA'], jwksFile: '/etc/mayros/jwks.json', header: 'X-Custom-Jwt' });
    expect(r).toMatchObject({ algorithms: ['EdDSA'], keys: { kind: 'file', path: '/etc/mayros/jwks.json' }, header: 'x-custom-jwt' });
  });

  it('without a preset, every key is explicit', () => {
    const r = resolved({ header: 'x-jwt', jwksUrl: 'http://127.0.0.1:9999/jwks', issuer: 'me', audience: ['a', 'b'], algorithms: ['RS256', 'PS256', 'RS256'] });
    expect(r).toMatchObject({ header: 'x-jwt', keys: { kind: 'url', url: 'http://127.0.0.1:9999/jwks' }, audience: ['a', 'b'], algorithms: ['RS256', 'PS256'], userClaim: 'email' });
  });
});

describe('assertion startup checks', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['alg none', { preset: 'pomerium', audience: 'h.example', algorithms: ['none'] }, `${BASE}.algorithms[0]: "none" means an unsigned token`],
    ['alg HS256', { preset: 'pomerium', audience: 'h.example', algorithms: ['ES256', 'HS256'] }, `${BASE}.algorithms[1]: "HS256" is a shared-secret (HMAC) algorithm`],
    ['unknown alg', { preset: 'pomerium', audience: 'h.example', algorithms: ['ES257'] }, `${BASE}.algorithms[0]: "ES257" is not a supported asymmetric`],
    ['http key URL to another host', { preset: 'pomerium', audience: 'h.example', jwksUrl: 'http://keys.example.com/jwks.json' }, `${BASE}.jwksUrl: "http://keys.example.com/jwks.json" uses plain http to a non-loopback host`],
    ['file: URL', { preset: 'pomerium', audience: 'h.example', jwksUrl: 'file:///etc/jwks.json' }, `${BASE}.jwksUrl: uses "file:"`],
    ['URL with a password', { preset: 'pomerium', audience: 'h.example', jwksUrl: 'https://u:p@h.example/jwks' }, `${BASE}.jwksUrl: "https://u:p@h.example/jwks" must not carry a user name or password`],
    ['both URL and file', { preset: 'pomerium', audience: 'h.example', jwksUrl: 'https://h.example/j', jwksFile: '/j.json' }, `${BASE}.jwksFile: jwksUrl and jwksFile are both set`],
    ['no key source without a preset', { header: 'x-jwt', issuer: 'i', audience: 'a', algorithms: ['ES256'] }, `${BASE}.jwksUrl: no key source`],
    ['no header without a preset', { jwksFile: '/j', issuer: 'i', audience: 'a', algorithms: ['ES256'] }, `${BASE}.header: required when no preset is set`],
    ['no algorithms without a preset', { header: 'x', jwksFile: '/j', issuer: 'i', audience: 'a' }, `${BASE}.algorithms: required when no preset is set`],
    ['pomerium without audience', { preset: 'pomerium' }, `${BASE}.audience: required (the pomerium preset cannot fill it)`],
    ['pomerium audience as a URL', { preset: 'pomerium', audience: 'https://h.example' }, `${BASE}.audience: with the pomerium preset, audience is the route's host name`],
    ['cloudflare without team domain', { preset: 'cloudflare-access', audience: 'abc' }, `${BASE}.issuer: the cloudflare-access preset needs your team domain`],
    ['cloudflare team domain without scheme', { preset: 'cloudflare-access', issuer: 'acme.cloudflareaccess.com', audience: 'abc' }, `${BASE}.issuer: "acme.cloudflareaccess.com" is not an https origin`],
    ['cloudflare audience that is a domain', { preset: 'cloudflare-access', issuer: 'https://acme.cloudflareaccess.com', audience: 'acme.cloudflareaccess.com' }, `${BASE}.audience: looks like a domain`],
    ['iap audience of the wrong shape', { preset: 'google-iap', audience: 'my-project' }, `${BASE}.audience: "my-project" is not an IAP audience`],
  ])('refuses %s', (_n, assertion, want) => {
    const got = issues({ assertion });
    expect(got.some((line) => line.startsWith(want)), got.join('\n')).toBe(true);
  });

  it('gives a fix with every refusal', () => {
    const all = validateForStartup(tpConfig({ assertion: { algorithms: ['none'], jwksUrl: 'http://x.example/j' } }));
    expect(all.length).toBeGreaterThan(3);
    for (const i of all) expect(i.fix, i.path).toBeTruthy();
  });

  it.each([['http://127.0.0.1:8080/jwks'], ['http://[::1]:8080/jwks'], ['http://localhost/jwks'], ['https://keys.example.com/jwks']])('accepts key URL %s', (url) => {
    expect(keyUrlProblem(url)).toBeUndefined();
    expect(issues({ assertion: { preset: 'pomerium', audience: 'h.example', jwksUrl: url } })).toEqual([]);
  });

  it('accepts a complete pomerium config', () => {
    expect(issues({ assertion: { preset: 'pomerium', audience: 'mayros.example.com' }, allowGroups: ['ops'] })).toEqual([]);
  });

  it('refuses a groups header next to an assertion (it would be ignored)', () => {
    expect(issues({ assertion: { preset: 'pomerium', audience: 'h.example' }, groupsHeader: 'x-forwarded-groups' })).toEqual([
      'gateway.auth.trustedProxy.groupsHeader: an assertion is configured, so groups come only from its signed groups claim; this header would be ignored',
    ]);
  });

  it('refuses allowGroups with no groups source', () => {
    expect(issues({ allowGroups: ['ops'] })[0]).toMatch(/^gateway\.auth\.trustedProxy\.allowGroups: allowGroups is set, but no groups source/);
    expect(issues({ allowGroups: ['ops'], assertion: { preset: 'cloudflare-access', issuer: 'https://a.cloudflareaccess.com', audience: 'x' } })[0]).toMatch(/the assertion has no groups claim/);
    expect(issues({ allowGroups: ['ops'], groupsHeader: 'x-forwarded-groups' })).toEqual([]);
  });

  it('rejects unknown keys and bad types in the schema', () => {
    expect(() => tpConfig({ assertion: { preset: 'pomerium', audience: 'h', jwksURL: 'x' } })).toThrow(/jwksURL.*did you mean "jwksUrl"/s);
    expect(() => tpConfig({ assertion: { preset: 'okta' } })).toThrow(ConfigError);
    expect(() => tpConfig({ assertion: { preset: 'pomerium', clockToleranceSec: -1 } })).toThrow(/clockToleranceSec/);
    expect(() => tpConfig({ groupsSeparator: '' })).toThrow(/groupsSeparator/);
  });
});
