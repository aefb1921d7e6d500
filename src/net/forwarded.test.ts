import { describe, expect, it } from 'vitest';
import { CidrSet } from './cidr.js';
import { FORWARDING_HEADERS, forwardedVerdict, forwardedVerdictHeaders } from './forwarded.js';

const trusted = new CidrSet(['127.0.0.1', '10.0.0.0/24']);

describe('forwardedVerdict', () => {
  it.each(FORWARDING_HEADERS.map((h) => [h]))('%s from a listed proxy: trusted-proxy; from anyone else: untrusted-peer', (h) => {
    expect(forwardedVerdict('127.0.0.1', { [h]: 'x' }, trusted)).toBe('trusted-proxy');
    expect(forwardedVerdict('10.0.0.7', { [h]: ['a', 'b'] }, trusted)).toBe('trusted-proxy');
    expect(forwardedVerdict('127.0.0.2', { [h]: 'x' }, trusted)).toBe('untrusted-peer');
    expect(forwardedVerdict('::1', { [h]: '' }, trusted)).toBe('untrusted-peer');
  });

  it('no forwarding header: no verdict, from any peer', () => {
    expect(forwardedVerdict('127.0.0.2', { host: 'a', 'x-forwarded-user': 'u' }, trusted)).toBeUndefined();
    expect(forwardedVerdict('127.0.0.1', {}, trusted)).toBeUndefined();
  });

  it('as a response header', () => {
    expect(forwardedVerdictHeaders('127.0.0.2', { 'x-forwarded-for': '1.2.3.4' }, trusted)).toEqual({ 'x-mayros-forwarded': 'untrusted-peer' });
    expect(forwardedVerdictHeaders('127.0.0.1', { host: 'h' }, trusted)).toBeUndefined();
  });
});
