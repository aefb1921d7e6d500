/**
 * IPv4 lookups store each entry in a table of a rounded-up length (docs/performance.md); these
 * pin that the entry returned is still the most specific one, exactly as a linear scan finds it.
 */
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { CidrSet, MEMO_LIMIT, parseCidr } from './cidr.js';

const toInt = (a: string) => ipaddr.IPv4.parse(a).toByteArray().reduce((n, b) => n * 256 + b, 0);
const toText = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

/** The reference: scan every entry, keep the longest prefix that contains the address (first among equals). */
function linearMatch(list: string[], addr: string): string | undefined {
  const a = ipaddr.IPv4.parse(addr);
  let best: { source: string; prefix: number } | undefined;
  for (const source of list) {
    const [net, len] = ipaddr.parseCIDR(source.includes('/') ? source : `${source}/32`);
    if (a.match(net as ipaddr.IPv4, len) && (!best || len > best.prefix)) best = { source, prefix: len };
  }
  return best?.source;
}

const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
/** Entries clustered around one base address, so that many of them nest and overlap. */
const nested = fc.tuple(v4, fc.array(fc.tuple(fc.integer({ min: 0, max: 32 }), fc.nat(255)), { minLength: 1, maxLength: 30 })).map(([base, parts]) => {
  const b = toInt(base);
  return parts.map(([len, noise]) => `${toText((b ^ (noise << 4)) >>> 0)}/${len}`);
});

describe('CidrSet returns the most specific IPv4 entry', () => {
  it('for nested and overlapping lists of every prefix length', () => {
    fc.assert(
      fc.property(nested, fc.nat(0xffff), (list, low) => {
        const set = new CidrSet(list);
        const near = toText(((toInt(list[0]!.split('/')[0]!) & ~0xffff) | low) >>> 0);
        for (const addr of [near, list[0]!.split('/')[0]!]) {
          expect(set.match(addr)?.source).toBe(linearMatch(list, addr));
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('for random lists and addresses', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(v4, fc.integer({ min: 0, max: 32 })), { minLength: 1, maxLength: 40 }), v4, (entries, addr) => {
        const list = entries.map(([b, l]) => `${b}/${l}`);
        expect(new CidrSet(list).match(addr)?.source).toBe(linearMatch(list, addr));
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    [['0.0.0.0/0', '10.0.0.0/7', '10.0.0.0/9', '10.0.0.0/12'], '10.1.2.3', '10.0.0.0/12'],
    [['10.0.0.0/12', '10.0.0.0/9'], '10.16.0.1', '10.0.0.0/9'],
    [['192.168.1.0/25', '192.168.1.0/28', '192.168.1.1'], '192.168.1.1', '192.168.1.1'],
    [['192.168.1.0/25', '192.168.1.0/28', '192.168.1.1'], '192.168.1.2', '192.168.1.0/28'],
    [['192.168.1.0/25', '192.168.1.0/28', '192.168.1.1'], '192.168.1.127', '192.168.1.0/25'],
    [['192.168.1.0/25', '192.168.1.0/28'], '192.168.1.128', undefined],
    [['10.0.0.0/8', '10.0.0.0/8 '], '10.9.9.9', '10.0.0.0/8'],
    [['0.0.0.0/0'], '255.255.255.255', '0.0.0.0/0'],
    [['255.255.255.255/31'], '255.255.255.254', '255.255.255.255/31'],
  ])('%j matching %s -> %s', (list, addr, want) => {
    expect(list.every((e) => parseCidr(e).ok)).toBe(true);
    expect(new CidrSet(list).match(addr)?.source).toBe(want);
  });
});

describe('CidrSet.lookup (remembered by address text)', () => {
  const text = fc.oneof(v4, fc.ipV6(), fc.constantFrom('::ffff:10.1.2.3', '[::1]', 'fe80::1%eth0', 'not-an-ip', '', '010.1.2.3', '127.1'));

  it('answers exactly as match, first time and remembered, for any text', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(v4, fc.integer({ min: 0, max: 32 })), { minLength: 1, maxLength: 20 }), fc.array(text, { minLength: 1, maxLength: 10 }), (entries, addrs) => {
        const set = new CidrSet([...entries.map(([b, l]) => `${b}/${l}`), 'fd00::/8', '::1']);
        for (const round of [1, 2]) {
          for (const a of addrs) expect([round, a, set.lookup(a)]).toEqual([round, a, set.match(a)]);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('stays right once the memo fills up and starts over', () => {
    const set = new CidrSet(['10.0.0.0/8']);
    // More distinct addresses than the memo holds, half inside the range; then the first ones again.
    const addrs = Array.from({ length: MEMO_LIMIT * 2 + 10 }, (_, i) => `${i % 2 ? 10 : 11}.0.${(i >> 8) & 255}.${i & 255}`);
    for (const a of [...addrs, ...addrs.slice(0, 20)]) expect(set.lookup(a)?.source).toBe(a.startsWith('10.') ? '10.0.0.0/8' : undefined);
  });

  it('answers text too long to be an address without keeping it', () => {
    const set = new CidrSet(['10.0.0.0/8']);
    const long = `10.0.0.1${' '.repeat(100)}`;
    expect(set.lookup(long)).toEqual(set.match(long));
    expect((set as unknown as { memo: Map<string, unknown> }).memo.has(long)).toBe(false);
    expect(set.lookup('10.0.0.1')?.source).toBe('10.0.0.0/8');
    expect((set as unknown as { memo: Map<string, unknown> }).memo.has('10.0.0.1')).toBe(true);
  });

  it('does not share memos between sets (a reload compiles a new set)', () => {
    const before = new CidrSet(['127.0.0.1']);
    expect(before.lookup('127.0.0.1')?.source).toBe('127.0.0.1');
    const after = new CidrSet(['127.0.0.2']);
    expect(after.lookup('127.0.0.1')).toBeUndefined();
    expect(before.lookup('127.0.0.1')?.source).toBe('127.0.0.1');
  });
});
