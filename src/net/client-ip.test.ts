import { describe, expect, it } from 'vitest';
import { CidrSet } from './cidr.js';
import { resolveClientIp, type ClientIpInput } from './client-ip.js';

const trusted = new CidrSet(['10.0.0.1', '10.0.1.0/24', '::1']);

describe('resolveClientIp', () => {
  it.each<[string, ClientIpInput, boolean, string]>([
    ['untrusted peer: its own address, XFF ignored', { peer: '203.0.113.9', xForwardedFor: '1.2.3.4' }, false, '203.0.113.9'],
    ['trusted peer without XFF', { peer: '10.0.0.1' }, false, '10.0.0.1'],
    ['trusted peer: the rightmost untrusted hop', { peer: '10.0.0.1', xForwardedFor: '1.1.1.1, 2.2.2.2' }, false, '2.2.2.2'],
    ['trusted hops are skipped right to left', { peer: '10.0.0.1', xForwardedFor: '1.1.1.1, 2.2.2.2, 10.0.1.7' }, false, '2.2.2.2'],
    ['a spoofed leftmost entry is never used', { peer: '10.0.0.1', xForwardedFor: '127.0.0.1, 198.51.100.4' }, false, '198.51.100.4'],
    ['repeated XFF headers are one list', { peer: '10.0.0.1', xForwardedFor: ['1.1.1.1', '2.2.2.2, 10.0.1.1'] }, false, '2.2.2.2'],
    ['all hops trusted: the leftmost', { peer: '10.0.0.1', xForwardedFor: '10.0.1.5, 10.0.1.6' }, false, '10.0.1.5'],
    ['unparseable hop ends the walk', { peer: '10.0.0.1', xForwardedFor: '1.1.1.1, junk, 10.0.1.6' }, false, '10.0.1.6'],
    ['mapped peer is normalised', { peer: '::ffff:10.0.0.1', xForwardedFor: '::ffff:5.5.5.5' }, false, '5.5.5.5'],
    ['X-Real-IP ignored by default', { peer: '10.0.0.1', xRealIp: '7.7.7.7' }, false, '10.0.0.1'],
    ['X-Real-IP used when allowed and no XFF', { peer: '10.0.0.1', xRealIp: '7.7.7.7' }, true, '7.7.7.7'],
    ['X-Real-IP never from an untrusted peer', { peer: '9.9.9.9', xRealIp: '7.7.7.7' }, true, '9.9.9.9'],
    ['the Unix socket (trusted by construction): the rightmost untrusted hop', { peer: 'unix', peerTrusted: true, xForwardedFor: '1.1.1.1, 2.2.2.2' }, false, '2.2.2.2'],
    ['the Unix socket without XFF: its label', { peer: 'unix', peerTrusted: true }, false, 'unix'],
    ['a listed address the caller does not trust (a missing client certificate): XFF ignored', { peer: '10.0.0.1', peerTrusted: false, xForwardedFor: '1.1.1.1' }, false, '10.0.0.1'],
    ['XFF wins over X-Real-IP', { peer: '10.0.0.1', xForwardedFor: '3.3.3.3', xRealIp: '7.7.7.7' }, true, '3.3.3.3'],
  ])('%s', (_n, input, fallback, want) => {
    expect(resolveClientIp(input, trusted, fallback)).toBe(want);
  });
});
