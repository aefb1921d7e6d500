import { describe, expect, it } from 'vitest';
import { parseConfigObject } from './parse.js';
import { checkConfig, validateForStartup } from './validate.js';

describe('checkConfig: the config is checked once, and carries what later stages read', () => {
  it('resolves the assertion (preset applied) and the allowedHosts names', () => {
    const c = checkConfig(
      parseConfigObject({
        gateway: {
          trustedProxies: ['127.0.0.1'],
          allowedHosts: ['Mayros.Example.com.', 'fd00::5'],
          auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-user', assertion: { preset: 'google-iap', audience: '/projects/1/apps/p' } } },
        },
      }),
    );
    expect(c.issues).toEqual([]);
    expect(c.assertion).toMatchObject({ header: 'x-goog-iap-jwt-assertion', issuer: 'https://cloud.google.com/iap', keys: { kind: 'url' } });
    expect(c.allowedHosts).toEqual(['mayros.example.com', '[fd00::5]']);
    expect(Object.isFrozen(c) && Object.isFrozen(c.issues)).toBe(true);
  });

  it('keeps only valid trustedProxies entries and reports the others, with no assertion when it does not resolve', () => {
    const config = parseConfigObject({ gateway: { trustedProxies: ['10.0.0.1', 'nope'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-user', assertion: { header: 'x-jwt' } } } } });
    const c = checkConfig(config);
    expect(c.trustedProxies).toEqual(['10.0.0.1']);
    expect(c.assertion).toBeUndefined();
    expect(c.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['gateway.trustedProxies[1]', 'gateway.auth.trustedProxy.assertion.issuer']));
    expect(validateForStartup(config)).toEqual(c.issues);
  });
});
