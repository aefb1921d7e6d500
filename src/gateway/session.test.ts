import { describe, expect, it } from 'vitest';
import { parseConfigObject } from '../config/parse.js';
import { compileAuthPolicy } from '../auth/policy.js';
import { captureHeaders } from './session.js';

describe('captureHeaders', () => {
  const policy = compileAuthPolicy(
    parseConfigObject({ gateway: { trustedProxies: ['127.0.0.1'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-user', requiredHeaders: ['x-forwarded-proto'] } } } }),
  );
  const headers = {
    'x-user': ['alice', 'mallory'],
    'x-forwarded-proto': ['https'],
    origin: ['https://gw.example.com'],
    host: ['gw.example.com'],
    cookie: ['session=secret'],
    authorization: ['Bearer secret'],
    'x-auth-request-access-token': ['secret'],
  };

  it('keeps the identity, required and origin headers, repeats included', () => {
    expect(captureHeaders(headers, policy)).toEqual({ 'x-user': ['alice', 'mallory'], 'x-forwarded-proto': ['https'], origin: ['https://gw.example.com'], host: ['gw.example.com'] });
  });

  it('keeps no cookie, authorization or other header', () => {
    expect(JSON.stringify(captureHeaders(headers, policy))).not.toContain('secret');
  });

  it('returns a frozen copy that later changes to the request cannot reach', () => {
    const src = { 'x-user': ['alice'] };
    const kept = captureHeaders(src, policy);
    src['x-user'].push('bob');
    expect(kept['x-user']).toEqual(['alice']);
    expect(Object.isFrozen(kept)).toBe(true);
  });
});
