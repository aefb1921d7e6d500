import { describe, expect, it } from 'vitest';
import { viaTcp } from '../../net/transport.js';
import { parseConfigObject } from '../../config/parse.js';
import { validated } from '../../config/validate.js';
import { compileAuthPolicy } from '../../auth/policy.js';
import { authorize } from '../../auth/authorize.js';
import { captureHeaders, expireDue, scheduleExpiry, type Session } from './session.js';

describe('captureHeaders', () => {
  const policy = compileAuthPolicy(validated(
    parseConfigObject({ gateway: { trustedProxies: ['127.0.0.1'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-user', requiredHeaders: ['x-forwarded-proto'] } } } }),
  ));
  const headers = {
    'x-user': ['alice', 'mallory'],
    'x-forwarded-proto': ['https'],
    origin: ['https://gw.example.com'],
    host: ['gw.example.com'],
    cookie: ['session=secret'],
    authorization: ['Bearer secret'],
    'x-auth-request-access-token': ['secret'],
  };

  it('keeps the identity, required and origin headers, repeats as arrays and single values as strings', () => {
    expect(captureHeaders(headers, policy)).toEqual({ 'x-user': ['alice', 'mallory'], 'x-forwarded-proto': 'https', origin: 'https://gw.example.com', host: 'gw.example.com' });
  });

  it('keeps a repeated identity header ambiguous for a re-check', () => {
    const kept = captureHeaders({ 'x-user': ['alice', 'bob'], 'x-forwarded-proto': 'https' }, policy);
    expect(authorize({ via: viaTcp('127.0.0.1'), headers: kept, surface: 'ws' }, policy)).toMatchObject({ ok: false, failure: { reason: 'trusted_proxy_user_ambiguous' } });
  });

  it('keeps no cookie, authorization or other header', () => {
    expect(JSON.stringify(captureHeaders(headers, policy))).not.toContain('secret');
  });

  it('returns a frozen copy that later changes to the request cannot reach', () => {
    const src = { 'x-user': ['alice', 'bob'] };
    const kept = captureHeaders(src, policy);
    src['x-user'].push('carol');
    expect(kept['x-user']).toEqual(['alice', 'bob']);
    expect(Object.isFrozen(kept)).toBe(true);
  });
});

describe('session age', () => {
  const proxied = { user: 'alice', method: 'trusted-proxy', groups: [] } as const;
  const session = (over: Partial<Session>): Session => ({ connectedAt: 1_000, identity: proxied, preAuthorized: undefined, closing: false, expiresAt: 0, ...over }) as Session;

  it.each<[string, Partial<Session>, number, number]>([
    ['a proxy-admitted session', {}, 60_000, 61_000],
    ['a session still waiting for connect, pre-authorized by the proxy', { identity: undefined, preAuthorized: proxied }, 60_000, 61_000],
    ['no age limit', {}, 0, 0],
    ['a token session', { identity: { user: null, method: 'token', groups: [] } }, 60_000, 0],
    ['a session already closing', { closing: true }, 60_000, 0],
  ])('schedules %s', (_name, over, maxAgeMs, expected) => {
    const s = session(over);
    scheduleExpiry(s, maxAgeMs);
    expect(s.expiresAt).toBe(expected);
  });

  it('expires exactly the open sessions past their deadline', () => {
    const due = session({ expiresAt: 5_000 });
    const later = session({ expiresAt: 5_001 });
    const never = session({ expiresAt: 0 });
    const closing = session({ expiresAt: 1_000, closing: true });
    const expired: Session[] = [];
    expireDue([due, later, never, closing], 5_000, (s) => expired.push(s));
    expect(expired).toEqual([due]);
  });
});
