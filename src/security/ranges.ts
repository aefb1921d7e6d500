/**
 * Classifies `gateway.trustedProxies` entries for the audit: how much of the network each one
 * trusts. Pure; built on the same CIDR parser the gateway matches peers with.
 */
import { CidrSet, parseCidr } from '../net/cidr.js';
import { isLoopbackIp, parseIp } from '../net/ip.js';
import { entryCoversLoopback } from '../config/validate.js';

/** Widest prefixes not reported as broad: one IPv4 /24, one IPv6 /64 (a single LAN segment). */
export const NARROWEST_BROAD = { 4: 23, 6: 63 } as const;

/** Ranges that name a whole class of networks; trusting one as a whole is always reported. */
export const WELL_KNOWN_RANGES: ReadonlyArray<{ cidr: string; name: string }> = Object.freeze([
  { cidr: '10.0.0.0/8', name: 'a private network range (RFC 1918)' },
  { cidr: '172.16.0.0/12', name: 'a private network range (RFC 1918)' },
  { cidr: '192.168.0.0/16', name: 'a private network range (RFC 1918)' },
  { cidr: '100.64.0.0/10', name: 'the shared address space (RFC 6598, carrier-grade NAT and overlay VPNs)' },
  { cidr: '169.254.0.0/16', name: 'the IPv4 link-local range' },
  { cidr: 'fc00::/7', name: 'the IPv6 unique local range (RFC 4193)' },
  { cidr: 'fe80::/10', name: 'the IPv6 link-local range' },
]);

const KNOWN = WELL_KNOWN_RANGES.map((k) => {
  const r = parseCidr(k.cidr);
  if (!r.ok) throw new Error(r.error);
  return { ...k, ...r.entry };
});

export type EntryClass =
  | { kind: 'invalid'; source: string; error: string }
  /** 0.0.0.0/0 or ::/0: every address. */
  | { kind: 'any'; source: string }
  /** Only this host's own loopback addresses. */
  | { kind: 'loopback'; source: string }
  /** Wider than one LAN segment; `covers` names the well-known ranges it contains. */
  | { kind: 'broad'; source: string; family: 4 | 6; prefix: number; covers: string[]; includesLoopback: boolean }
  | { kind: 'narrow'; source: string };

/** Sorts one trustedProxies entry into the class the audit reports it under. */
export function classifyEntry(source: string): EntryClass {
  const r = parseCidr(source);
  if (!r.ok) return { kind: 'invalid', source, error: r.error };
  const { family, prefix, network } = r.entry;
  if (prefix === 0) return { kind: 'any', source };
  const inLoopback = family === 4 ? prefix >= 8 && network.startsWith('127.') : prefix === 128 && network === '::1';
  if (inLoopback) return { kind: 'loopback', source };

  const set = new CidrSet([source]);
  const covers: string[] = [];
  for (const known of KNOWN) {
    if (known.family === family && prefix <= known.prefix && set.has(known.network)) covers.push(`${known.cidr}, ${known.name}`);
  }
  if (prefix <= NARROWEST_BROAD[family] || covers.length > 0) {
    return { kind: 'broad', source, family, prefix, covers, includesLoopback: entryCoversLoopback(source) };
  }
  return { kind: 'narrow', source };
}

/** Number of addresses in a prefix, as words a person can weigh ("65,536 addresses"). */
export function rangeSize(family: 4 | 6, prefix: number): string {
  const bits = (family === 4 ? 32 : 128) - prefix;
  if (bits === 0) return '1 address';
  // Grouped by hand: the first toLocaleString() call loads ICU number formatting, about 30 ms of
  // `security audit`'s start-up (docs/performance.md).
  if (bits <= 32) return `${String(2 ** bits).replace(/\B(?=(\d{3})+$)/g, ',')} addresses`;
  return `2^${bits} addresses`;
}

/**
 * This host's network interfaces, as `os.networkInterfaces()` returns them (only the fields read
 * here). Passed in, never read by the checks themselves, so tests can describe any host.
 */
export type InterfaceTable = Readonly<Record<string, ReadonlyArray<{ readonly address: string; readonly internal: boolean }> | undefined>>;

/** One of this host's own addresses that a trustedProxies entry matches. */
export interface OwnAddressMatch {
  /** The entry as written. */
  entry: string;
  /** The host address it matches, and the interface that carries it. */
  address: string;
  interface: string;
}

/**
 * The non-loopback addresses of this host that each entry matches (equal to the entry, or inside
 * its range). Loopback interfaces and addresses are left out: `classifyEntry` reports those, and a
 * loopback entry is matched by nothing else here. Invalid entries match nothing.
 */
export function ownAddressesIn(entries: readonly string[], interfaces: InterfaceTable): OwnAddressMatch[] {
  const own: Array<{ address: string; interface: string }> = [];
  for (const [name, list] of Object.entries(interfaces)) {
    for (const a of list ?? []) {
      if (a.internal || isLoopbackIp(a.address)) continue;
      own.push({ address: parseIp(a.address)?.text ?? a.address, interface: name });
    }
  }
  const out: OwnAddressMatch[] = [];
  for (const entry of entries) {
    if (!parseCidr(entry).ok) continue;
    const set = new CidrSet([entry]);
    for (const o of own) if (set.has(o.address)) out.push({ entry, ...o });
  }
  return out;
}
