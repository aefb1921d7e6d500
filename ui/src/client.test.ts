import { describe, expect, it } from 'vitest';
import { backoffDelay, socketUrl } from './client.js';
import { explain, explainRequest } from './refusal.js';
import { tokenFromHash } from './token.js';
import { REASONS } from '../../src/protocol/reasons.js';

describe('socketUrl', () => {
  it.each([
    ['http://127.0.0.1:18789/', 'http:', 'ws://127.0.0.1:18789/'],
    ['https://mayros.example.com/#token=abc', 'https:', 'wss://mayros.example.com/'],
    ['https://mayros.example.com/index.html?x=1', 'https:', 'wss://mayros.example.com/'],
  ])('%s -> %s', (href, protocol, expected) => {
    expect(socketUrl({ href, protocol })).toBe(expected);
  });
});

describe('backoffDelay', () => {
  it('doubles from the minimum up to the maximum, with at most 20% jitter', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, 1000, 30_000, mid))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    expect(backoffDelay(1, 1000, 30_000, () => 0)).toBe(800);
    expect(backoffDelay(10, 1000, 30_000, () => 0.999999)).toBeLessThanOrEqual(36_000);
  });
});

describe('tokenFromHash', () => {
  it.each([
    ['#token=abc', 'abc'],
    ['#x=1&token=a%2Bb', 'a+b'],
    ['#token=', undefined],
    ['', undefined],
    ['#other=1', undefined],
  ])('%s -> %s', (hash, expected) => {
    expect(tokenFromHash(hash)).toBe(expected);
  });
});

describe('explain', () => {
  it('uses the gateway reason table and its docs anchor', () => {
    const e = explain('token_mismatch');
    expect(e).toMatchObject({ reason: 'token_mismatch', message: REASONS.token_mismatch.message, fix: REASONS.token_mismatch.fix, credential: 'token', viaProxy: false });
    expect(e.docsHref).toBe('docs/troubleshooting.html#token_mismatch');
  });

  it('maps a header-specific wire code to its one entry and never offers a credential for proxy refusals', () => {
    const e = explain('trusted_proxy_missing_header_x-forwarded-proto');
    expect(e).toMatchObject({ wire: 'trusted_proxy_missing_header_x-forwarded-proto', reason: 'trusted_proxy_missing_header', credential: undefined, viaProxy: true });
    expect(e.docsHref).toBe('docs/troubleshooting.html#trusted_proxy_missing_header_name');
  });

  it('says whose sign-in was refused, with what the person can do, when the gateway names the user', () => {
    const e = explain('trusted_proxy_user_not_allowed', 'eve@example.com');
    expect(e).toMatchObject({ claimedUser: 'eve@example.com', fix: REASONS.trusted_proxy_user_not_allowed.fix });
    expect(e.personHint).toMatch(/^Signed in with the wrong account\? Sign out at your sign-in page/);
    expect(explain('trusted_proxy_assertion_expired', 'eve@example.com').personHint).toMatch(/sign out and in again/);
    expect(explain('trusted_proxy_missing_header_x-forwarded-proto', 'eve@example.com').personHint).toMatch(/not about your account/);
    expect(explain('trusted_proxy_user_not_allowed').claimedUser).toBeUndefined();
    expect(explain('trusted_proxy_user_not_allowed').personHint).toBeUndefined();
  });

  it('still explains a code it does not know', () => {
    const e = explain('something_new');
    expect(e.reason).toBeUndefined();
    expect(e.message).toMatch(/code this page does not know/);
    expect(e.docsHref).toBe('docs/troubleshooting.html');
  });
});

describe('explainRequest', () => {
  it('explains a scope_missing refusal from the table, keeping the gateway\'s own sentence', () => {
    const e = explainRequest({ reason: 'scope_missing', message: 'security.audit needs operator.admin; you have operator.read' });
    expect(e).toEqual({
      wire: 'scope_missing',
      reason: 'scope_missing',
      detail: 'security.audit needs operator.admin; you have operator.read',
      message: REASONS.scope_missing.message,
      fix: REASONS.scope_missing.fix,
      docsHref: 'docs/troubleshooting.html#scope_missing',
    });
  });
});
