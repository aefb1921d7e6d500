import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { classifyEntry, ownAddressesIn, rangeSize, type InterfaceTable } from './ranges.js';

describe('classifyEntry', () => {
  it.each([
    ['0.0.0.0/0', 'any'],
    ['::/0', 'any'],
    ['::ffff:0.0.0.0/96', 'any'],
    ['127.0.0.1', 'loopback'],
    ['127.0.0.0/8', 'loopback'],
    ['127.1.2.0/24', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['126.0.0.0/7', 'broad'],
    ['10.0.0.0/8', 'broad'],
    ['10.1.0.0/16', 'broad'],
    ['10.0.0.0/23', 'broad'],
    ['172.16.0.0/12', 'broad'],
    ['192.168.0.0/16', 'broad'],
    ['100.64.0.0/10', 'broad'],
    ['169.254.0.0/16', 'broad'],
    ['fc00::/7', 'broad'],
    ['fd00::/8', 'broad'],
    ['fe80::/10', 'broad'],
    ['2001:db8::/63', 'broad'],
    ['::/127', 'narrow'],
    ['10.0.0.0/24', 'narrow'],
    ['10.0.0.5', 'narrow'],
    ['192.168.1.0/24', 'narrow'],
    ['2001:db8::/64', 'narrow'],
    ['fd00::5', 'narrow'],
    ['proxy.internal', 'invalid'],
    ['10.0.0.0/33', 'invalid'],
  ])('%s is %s', (entry, kind) => {
    expect(classifyEntry(entry).kind).toBe(kind);
  });

  it('names the well-known ranges a broad entry contains', () => {
    const c = classifyEntry('10.0.0.0/8');
    expect(c.kind === 'broad' && c.covers).toEqual(['10.0.0.0/8, a private network range (RFC 1918)']);
    const wide = classifyEntry('128.0.0.0/1');
    expect(wide.kind === 'broad' && wide.covers.map((s) => s.split(',')[0])).toEqual(['172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16']);
    const part = classifyEntry('10.0.0.0/16');
    expect(part.kind === 'broad' && part.covers).toEqual([]);
  });

  it('notes when a broad range also contains loopback', () => {
    const c = classifyEntry('0.0.0.0/1');
    expect(c.kind === 'broad' && c.includesLoopback).toBe(true);
    const d = classifyEntry('10.0.0.0/8');
    expect(d.kind === 'broad' && d.includesLoopback).toBe(false);
  });

  it('agrees with ipaddr.js on the /24 and /64 thresholds for any IPv4 or IPv6 range outside loopback', () => {
    const v4 = fc.tuple(fc.ipV4(), fc.integer({ min: 1, max: 32 }));
    const v6 = fc.tuple(fc.ipV6(), fc.integer({ min: 1, max: 128 }));
    fc.assert(
      fc.property(fc.oneof(v4, v6), ([addr, prefix]) => {
        const [net, len] = ipaddr.parseCIDR(`${addr}/${prefix}`);
        const kind = classifyEntry(`${addr}/${prefix}`).kind;
        if (kind === 'loopback') return;
        const family = net.kind() === 'ipv4' ? 4 : 6;
        // The threshold rule alone, then the named ranges (all wider than the thresholds anyway).
        const wide = family === 4 ? len < 24 : len < 64;
        if (net.kind() === 'ipv6' && (net as ipaddr.IPv6).isIPv4MappedAddress()) return;
        expect(kind).toBe(wide ? 'broad' : 'narrow');
      }),
      { numRuns: 500 },
    );
  });
});

describe('rangeSize', () => {
  it.each([
    [4, 32, '1 address'],
    [4, 24, '256 addresses'],
    [4, 8, '16,777,216 addresses'],
    [6, 64, '2^64 addresses'],
  ] as const)('IPv%i /%i has %s', (family, prefix, text) => {
    expect(rangeSize(family, prefix)).toBe(text);
  });

  it('groups digits as en-US does, for every IPv4 prefix', () => {
    for (let prefix = 0; prefix < 32; prefix++) expect(rangeSize(4, prefix)).toBe(`${(2 ** (32 - prefix)).toLocaleString('en-US')} addresses`);
  });
});

describe('ownAddressesIn', () => {
  const host: InterfaceTable = {
    lo: [
      { address: '127.0.0.1', internal: true },
      { address: '::1', internal: true },
    ],
    eth0: [
      { address: '192.0.2.2', internal: false },
      { address: 'fd00::2', internal: false },
      { address: 'fe80::fc:ff:fe00:1', internal: false },
    ],
    docker0: [{ address: '172.17.0.1', internal: false }],
    down: undefined,
  };

  it.each([
    [['172.17.0.1'], [{ entry: '172.17.0.1', address: '172.17.0.1', interface: 'docker0' }]],
    [['192.0.2.0/24'], [{ entry: '192.0.2.0/24', address: '192.0.2.2', interface: 'eth0' }]],
    [['::ffff:192.0.2.2'], [{ entry: '::ffff:192.0.2.2', address: '192.0.2.2', interface: 'eth0' }]],
    [['FD00::2'], [{ entry: 'FD00::2', address: 'fd00::2', interface: 'eth0' }]],
    [['fe80::/10'], [{ entry: 'fe80::/10', address: 'fe80::fc:ff:fe00:1', interface: 'eth0' }]],
    [['172.17.0.2', '192.0.2.3', '10.0.0.5'], []],
    [['127.0.0.1', '::1', '127.0.0.0/8'], []],
    [['not an address'], []],
  ] as const)('%j', (entries, expected) => {
    expect(ownAddressesIn(entries, host)).toEqual(expected);
  });

  it('knows nothing about a host without interfaces', () => {
    expect(ownAddressesIn(['172.17.0.1'], {})).toEqual([]);
  });
});
