import { describe, expect, it } from 'vitest';
import { parseConfigObject } from '../../config/parse.js';
import { validated } from '../../config/validate.js';
import { compileAuthPolicy } from '../../auth/policy.js';
import { VIA_UNIX, viaTcp, type Via } from '../../net/transport.js';
import { AddressCounts, clientKeyOf, type AddressCount } from './address-caps.js';

const count = (c: Partial<AddressCount>): AddressCount => ({ sockets: 0, sessions: 0, pending: 0, verifying: 0, ...c });

describe('AddressCounts', () => {
  it('keeps an entry only while the address holds something', () => {
    const a = new AddressCounts();
    a.add('10.0.0.1', 'sockets', 1);
    a.add('10.0.0.1', 'sessions', 1);
    a.add('10.0.0.1', 'pending', 1);
    expect(a.get('10.0.0.1')).toEqual(count({ sockets: 1, sessions: 1, pending: 1 }));
    a.add('10.0.0.1', 'pending', -1);
    a.add('10.0.0.1', 'sockets', -1);
    expect(a.size).toBe(1);
    a.add('10.0.0.1', 'sessions', -1);
    expect(a.size).toBe(0);
    // An uncounted socket (no key) and a release for an unknown address change nothing.
    a.add(undefined, 'sockets', 1);
    a.add('10.0.0.2', 'sockets', -1);
    expect(a.size).toBe(0);
  });
});

describe('clientKeyOf', () => {
  const policy = compileAuthPolicy(validated(parseConfigObject({ gateway: { trustedProxies: ['127.0.0.1', '10.0.0.0/24'] } })));
  it.each<[string, string, Record<string, string>, string | undefined]>([
    ['a direct client: its peer', '127.0.0.2', {}, '127.0.0.2'],
    ['a direct client cannot pick its key with X-Forwarded-For', '127.0.0.2', { 'x-forwarded-for': '203.0.113.5' }, '127.0.0.2'],
    ['through a trusted proxy: the rightmost untrusted hop', '127.0.0.1', { 'x-forwarded-for': '198.51.100.1, 203.0.113.5' }, '203.0.113.5'],
    ['through two trusted proxies', '127.0.0.1', { 'x-forwarded-for': '203.0.113.5, 10.0.0.7' }, '203.0.113.5'],
    ['a trusted proxy naming no client: not counted per address', '127.0.0.1', {}, undefined],
    ['a trusted proxy naming only trusted hops: not counted per address', '127.0.0.1', { 'x-forwarded-for': '10.0.0.7' }, undefined],
  ])('%s', (_name, peer, headers, key) => {
    expect(clientKeyOf(headers, viaTcp(peer), policy)).toBe(key);
  });

  const mtls = compileAuthPolicy(
    validated(parseConfigObject({ gateway: { bind: 'lan', tls: { cert: '/c', key: '/k', clientCa: '/ca' }, auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-u', clientCert: { allowedNames: ['mayros-proxy'] } } } } })),
  );
  const proxyCert = (peer: string): Via => ({ kind: 'tls', peer, cert: { state: 'valid', names: { cn: ['mayros-proxy'], dns: [], uri: [] }, anchor: 'A' } });
  it.each<[string, Via, Record<string, string>, string | undefined]>([
    ['the Unix socket: the client the proxy names', VIA_UNIX, { 'x-forwarded-for': '203.0.113.5' }, '203.0.113.5'],
    ['the Unix socket naming no client: the proxy itself, not counted per address', VIA_UNIX, {}, undefined],
    ['a proxy proven by its certificate: the client it names', proxyCert('192.0.2.7'), { 'x-forwarded-for': '203.0.113.5' }, '203.0.113.5'],
    ['a proxy proven by its certificate naming no client: not counted per address', proxyCert('192.0.2.7'), {}, undefined],
    ['a client without the certificate: its own address, X-Forwarded-For ignored', { kind: 'tls', peer: '192.0.2.9', cert: { state: 'none' } }, { 'x-forwarded-for': '203.0.113.5' }, '192.0.2.9'],
  ])('%s', (_name, via, headers, key) => {
    expect(clientKeyOf(headers, via, via.kind === 'unix' ? policy : mtls)).toBe(key);
  });
});
