import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { CidrSet, parseCidr } from './cidr.js';
import { isLoopbackIp, normalizeIp, parseIp } from './ip.js';

const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
const v6 = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }).map((g) => ipaddr.IPv6.parse(g.map((x) => x.toString(16)).join(':')).toString());

/** The reference: ipaddr.js's own match, with IPv4-mapped addresses unwrapped the same way. */
function refMatch(addr: string, cidr: string): boolean {
  let a = ipaddr.parse(addr);
  if (a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress()) a = (a as ipaddr.IPv6).toIPv4Address();
  let [net, len] = ipaddr.parseCIDR(cidr);
  if (net.kind() === 'ipv6' && (net as ipaddr.IPv6).isIPv4MappedAddress()) {
    net = (net as ipaddr.IPv6).toIPv4Address();
    len -= 96;
  }
  return a.kind() === net.kind() && a.match(net, len);
}

describe('parseIp', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1', 4],
    ['::ffff:10.0.0.1', '10.0.0.1', 4],
    ['::FFFF:7f00:1', '127.0.0.1', 4],
    ['[::1]', '::1', 6],
    ['fe80::1%eth0', 'fe80::1', 6],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1', 6],
  ])('%s -> %s', (input, text, family) => {
    expect(parseIp(input)).toMatchObject({ text, family });
  });

  it.each(['', 'localhost', '127.1', '0x7f.0.0.1', '256.0.0.1', '1.2.3.4.5', '10.0.0.1/8', ' ', '::g'])('rejects %j', (input) => {
    expect(parseIp(input)).toBeUndefined();
  });

  it('normalises and detects loopback', () => {
    expect(normalizeIp('::ffff:127.0.0.2')).toBe('127.0.0.2');
    expect(isLoopbackIp('127.255.0.1')).toBe(true);
    expect(isLoopbackIp('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackIp('::1')).toBe(true);
    expect(isLoopbackIp('::2')).toBe(false);
    expect(isLoopbackIp('128.0.0.1')).toBe(false);
  });
});

describe('parseCidr', () => {
  it.each([
    ['10.0.0.0/8', 4, '10.0.0.0', 8],
    ['10.1.2.3/8', 4, '10.0.0.0', 8],
    ['10.0.0.1', 4, '10.0.0.1', 32],
    ['::1', 6, '::1', 128],
    ['fd00::/8', 6, 'fd00::', 8],
    ['::ffff:10.0.0.0/104', 4, '10.0.0.0', 8],
    ['0.0.0.0/0', 4, '0.0.0.0', 0],
    ['::/0', 6, '::', 0],
  ])('%s', (input, family, network, prefix) => {
    const r = parseCidr(input);
    expect(r).toMatchObject({ ok: true, entry: { family, network, prefix } });
  });

  it.each(['10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/-1', '10.0.0.0/8/8', 'example.com', '::ffff:10.0.0.0/64', '10.0.0.0/08a'])('rejects %j', (input) => {
    expect(parseCidr(input).ok).toBe(false);
  });
});

describe('CidrSet matches like ipaddr.js', () => {
  it('IPv4 ranges', () => {
    fc.assert(
      fc.property(v4, v4, fc.integer({ min: 0, max: 32 }), (addr, base, len) => {
        const cidr = `${base}/${len}`;
        expect(new CidrSet([cidr]).has(addr)).toBe(refMatch(addr, cidr));
      }),
      { numRuns: 2000 },
    );
  });

  it('IPv4 ranges against nearby addresses (edges)', () => {
    fc.assert(
      fc.property(v4, fc.integer({ min: 0, max: 32 }), fc.integer({ min: -2, max: 2 }), (base, len, delta) => {
        const n = (ipaddr.IPv4.parse(base).toByteArray().reduce((a, b) => a * 256 + b, 0) + delta + 2 ** 32) % 2 ** 32;
        const addr = [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
        const cidr = `${base}/${len}`;
        expect(new CidrSet([cidr]).has(addr)).toBe(refMatch(addr, cidr));
      }),
      { numRuns: 2000 },
    );
  });

  it('IPv6 ranges', () => {
    fc.assert(
      fc.property(v6, v6, fc.integer({ min: 0, max: 128 }), (addr, base, len) => {
        const cidr = `${base}/${len}`;
        expect(new CidrSet([cidr]).has(addr)).toBe(refMatch(addr, cidr));
      }),
      { numRuns: 2000 },
    );
  });

  it('IPv6 ranges sharing a prefix with the address', () => {
    fc.assert(
      fc.property(v6, fc.integer({ min: 0, max: 128 }), fc.integer({ min: 0, max: 127 }), (base, len, flip) => {
        const bytes = ipaddr.IPv6.parse(base).toByteArray();
        bytes[flip >> 3] = bytes[flip >> 3]! ^ (0x80 >> (flip & 7));
        const addr = ipaddr.fromByteArray(bytes).toString();
        const cidr = `${base}/${len}`;
        expect(new CidrSet([cidr]).has(addr)).toBe(refMatch(addr, cidr));
      }),
      { numRuns: 2000 },
    );
  });

  it('IPv4-mapped peers match IPv4 entries and mapped entries match IPv4 peers', () => {
    fc.assert(
      fc.property(v4, v4, fc.integer({ min: 0, max: 32 }), (addr, base, len) => {
        const want = refMatch(addr, `${base}/${len}`);
        expect(new CidrSet([`${base}/${len}`]).has(`::ffff:${addr}`)).toBe(want);
        expect(new CidrSet([`::ffff:${base}/${len + 96}`]).has(addr)).toBe(want);
      }),
      { numRuns: 1000 },
    );
  });

  it('a set answers like any of its members', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(v4, fc.integer({ min: 0, max: 32 })), { minLength: 1, maxLength: 20 }), v4, (entries, addr) => {
        const cidrs = entries.map(([b, l]) => `${b}/${l}`);
        expect(new CidrSet(cidrs).has(addr)).toBe(cidrs.some((c) => refMatch(addr, c)));
      }),
      { numRuns: 500 },
    );
  });

  it('never matches across families or non-IP input', () => {
    const set = new CidrSet(['0.0.0.0/0']);
    expect(set.has('::2')).toBe(false);
    expect(set.has('not-an-ip')).toBe(false);
    expect(new CidrSet(['::/0']).has('10.0.0.1')).toBe(false);
  });

  it('returns the most specific entry', () => {
    const set = new CidrSet(['10.0.0.0/8', '10.1.0.0/16', '10.1.2.3']);
    expect(set.match('10.1.2.3')?.source).toBe('10.1.2.3');
    expect(set.match('10.1.9.9')?.source).toBe('10.1.0.0/16');
    expect(set.match('10.9.9.9')?.source).toBe('10.0.0.0/8');
  });
});
