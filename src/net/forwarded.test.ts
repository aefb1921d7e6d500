import { describe, expect, it } from 'vitest';
import { FORWARDING_HEADERS, forwardedVerdict, forwardedVerdictHeaders } from './forwarded.js';

describe('forwardedVerdict', () => {
  it.each(FORWARDING_HEADERS.map((h) => [h]))('%s from a trusted proxy: trusted-proxy; from anyone else: untrusted-peer', (h) => {
    expect(forwardedVerdict(true, { [h]: 'x' })).toBe('trusted-proxy');
    expect(forwardedVerdict(true, { [h]: ['a', 'b'] })).toBe('trusted-proxy');
    expect(forwardedVerdict(false, { [h]: 'x' })).toBe('untrusted-peer');
    expect(forwardedVerdict(false, { [h]: '' })).toBe('untrusted-peer');
  });

  it('no forwarding header: no verdict, from any peer', () => {
    expect(forwardedVerdict(false, { host: 'a', 'x-forwarded-user': 'u' })).toBeUndefined();
    expect(forwardedVerdict(true, {})).toBeUndefined();
  });

  it('as a response header', () => {
    expect(forwardedVerdictHeaders(false, { 'x-forwarded-for': '1.2.3.4' })).toEqual({ 'x-mayros-forwarded': 'untrusted-peer' });
    expect(forwardedVerdictHeaders(true, { host: 'h' })).toBeUndefined();
  });
});
