import { describe, expect, it } from 'vitest';
import { ALL_CODES, codesOf, docsAnchor, isRefusalClose, REASONS, reasonFromWireCode, wireCode, WS_GOING_AWAY, WS_TRY_AGAIN_LATER, type ReasonCode } from './reasons.js';

const rows = ALL_CODES.map((code) => ({ code, row: REASONS[code] as (typeof REASONS)[ReasonCode] }));

describe('the reason table', () => {
  it('is frozen, every row with a status, a type and both sentences', () => {
    expect(Object.isFrozen(REASONS)).toBe(true);
    for (const { code, row } of rows) {
      expect(row.status, code).toBeGreaterThanOrEqual(400);
      expect(row.message.length, code).toBeGreaterThan(10);
      expect(row.fix.length, code).toBeGreaterThan(10);
    }
  });

  it('gives every code that ends a WebSocket session a close code, and no other code one', () => {
    for (const { code, row } of rows) {
      const closes = row.kind === 'auth' || row.kind === 'admission' || row.kind === 'session';
      expect('closeCode' in row, code).toBe(closes);
      if ('closeCode' in row) expect(row.closeCode === WS_GOING_AWAY || (row.closeCode >= 1002 && row.closeCode <= 1013) || (row.closeCode >= 4000 && row.closeCode <= 4999), code).toBe(true);
    }
  });

  it('answers every auth refusal on connect with UNAUTHORIZED, and names how to authenticate on a 401', () => {
    for (const code of codesOf('auth')) {
      const row = REASONS[code as 'token_missing'];
      expect(row.wsError, code).toBe('UNAUTHORIZED');
      if (row.status === 401) expect(row.headers?.['www-authenticate'], code).toBe('Bearer realm="mayros"');
    }
    expect(REASONS.rate_limited.retryAfter).toBe('lockout');
    expect(REASONS.trusted_proxy_assertion_keys_unavailable.headers).toEqual({ 'retry-after': '5' });
    expect(REASONS.method_not_allowed.headers).toEqual({ allow: 'GET, HEAD' });
  });

  it('keeps "try again later" for what a retry can fix', () => {
    const later = rows.filter(({ row }) => 'closeCode' in row && row.closeCode === WS_TRY_AGAIN_LATER).map(({ code }) => code);
    expect(later.sort()).toEqual(['too_many_connections', 'too_many_connections_per_address', 'too_many_unauthenticated', 'too_many_unauthenticated_per_address', 'trusted_proxy_assertion_keys_unavailable']);
  });

  it('puts every code of a kind in that kind', () => {
    expect(codesOf('provider')).toEqual(['provider_unreachable', 'provider_timeout', 'provider_auth_failed', 'provider_rate_limited', 'provider_error']);
    expect(codesOf('store').every((c) => c.startsWith('store_'))).toBe(true);
    expect(new Set(ALL_CODES).size).toBe(ALL_CODES.length);
  });
});

describe('wire codes', () => {
  it('carry the header name for a missing required header, and map back to the row', () => {
    expect(wireCode({ reason: 'trusted_proxy_missing_header', header: 'X-Forwarded-Proto' })).toBe('trusted_proxy_missing_header_x-forwarded-proto');
    expect(wireCode({ reason: 'trusted_proxy_header_invalid_utf8', header: 'x-user' })).toBe('trusted_proxy_header_invalid_utf8');
    expect(reasonFromWireCode('trusted_proxy_missing_header_x-forwarded-proto')).toBe('trusted_proxy_missing_header');
    for (const code of ALL_CODES) expect(reasonFromWireCode(code)).toBe(code);
    expect(reasonFromWireCode('constructor')).toBeUndefined();
    expect(reasonFromWireCode('nope')).toBeUndefined();
    expect(docsAnchor('trusted_proxy_missing_header')).toBe('trusted_proxy_missing_header_name');
  });
});

describe('isRefusalClose', () => {
  it.each<[number, string, boolean]>([
    [1008, 'token_mismatch', true],
    [1002, 'protocol_unsupported', true],
    [4001, 'session_expired', true],
    [1008, '', false],
    [1001, 'gateway_shutdown', false],
    [1013, 'too_many_connections', false],
    [1009, 'frame_too_large', false],
  ])('%i %s -> %s', (code, reason, refused) => {
    expect(isRefusalClose(code, reason)).toBe(refused);
  });
});
