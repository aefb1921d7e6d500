/**
 * A set of IPs and CIDR ranges with lookups whose cost does not grow with the number of entries.
 * IPv6: one hash map per distinct prefix length; a lookup masks the address once per length in
 * use and probes a map. IPv4: lengths are rounded up to a multiple of 4 (at least 8), each entry
 * stored as the (at most 8) networks of that length it covers, so a lookup probes at most 7
 * integer-keyed maps (/32, /28, ... /8) however many lengths the list mixes.
 */
import { parseIp, type Family, type ParsedIp } from './ip.js';

export interface CidrEntry {
  /** The entry as written in the config. */
  source: string;
  family: Family;
  /** The network address, canonical text. */
  network: string;
  prefix: number;
}

export type CidrParseResult = { ok: true; entry: CidrEntry } | { ok: false; error: string };

function maskedKey(bytes: readonly number[], prefix: number): string {
  let key = '';
  const full = prefix >> 3;
  for (let i = 0; i < full; i++) key += String.fromCharCode(bytes[i]!);
  const rem = prefix & 7;
  if (rem) key += String.fromCharCode(bytes[full]! & (0xff << (8 - rem)) & 0xff);
  return key;
}

/** The address as a signed 32-bit integer (network order). */
function v4Int(bytes: readonly number[]): number {
  return (bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!;
}

/** The network bits under `level` (8 to 32) as an int32, a small integer for V8. */
function v4Key(addr: number, level: number): number {
  return (addr >>> (32 - level)) | 0;
}

/** The IPv4 table a prefix length is stored in: the next multiple of 4, and at least /8. */
function v4Level(prefix: number): number {
  return Math.max(8, Math.ceil(prefix / 4) * 4);
}

function maskedBytes(ip: ParsedIp, prefix: number): number[] {
  return ip.bytes.map((b, i) => {
    const bitsBefore = i * 8;
    if (prefix >= bitsBefore + 8) return b;
    if (prefix <= bitsBefore) return 0;
    return b & (0xff << (8 - (prefix - bitsBefore))) & 0xff;
  });
}

function bytesToText(bytes: number[], family: Family): string {
  if (family === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return parseIp(groups.join(':'))!.text;
}

/**
 * Parses "10.0.0.1", "10.0.0.0/8", "::1", "fd00::/8", "::ffff:10.0.0.0/104". An IPv4-mapped
 * IPv6 range is rewritten as the IPv4 range it covers, since peers are normalised the same way.
 */
export function parseCidr(input: string): CidrParseResult {
  const s = input.trim();
  const slash = s.indexOf('/');
  const addrPart = slash >= 0 ? s.slice(0, slash) : s;
  const ip = parseIp(addrPart);
  if (!ip) return { ok: false, error: `"${input}" is not an IP address or CIDR range` };
  const wasMapped = ip.family === 4 && addrPart.includes(':');
  const max = ip.family === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = s.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return { ok: false, error: `"${input}" has an invalid prefix length` };
    prefix = Number(p);
    if (wasMapped) {
      if (prefix < 96 || prefix > 128) return { ok: false, error: `"${input}": an IPv4-mapped range needs a prefix from 96 to 128` };
      prefix -= 96;
    } else if (prefix > max) {
      return { ok: false, error: `"${input}": prefix length ${prefix} is longer than ${max}` };
    }
  }
  return {
    ok: true,
    entry: { source: input, family: ip.family, network: bytesToText(maskedBytes(ip, prefix), ip.family), prefix },
  };
}

export class CidrSet {
  readonly entries: readonly CidrEntry[];
  /** IPv4 table lengths in use (longest first) and their maps, index for index. */
  private readonly v4Levels: number[];
  private readonly v4Maps: Map<number, CidrEntry>[];
  /** IPv6 prefix lengths in use (longest first) with their maps. */
  private readonly v6: Array<[number, Map<string, CidrEntry>]>;
  /** Answers of {@link lookup} by address text; `null` records "no entry". Bounded, see MEMO_LIMIT. */
  private readonly memo = new Map<string, CidrEntry | null>();

  /** Throws on an invalid entry; validate config with {@link parseCidr} first for a friendly error. */
  constructor(list: readonly string[]) {
    const entries: CidrEntry[] = [];
    const by4 = new Map<number, Map<number, CidrEntry>>();
    const by6 = new Map<number, Map<string, CidrEntry>>();
    for (const item of list) {
      const r = parseCidr(item);
      if (!r.ok) throw new Error(r.error);
      entries.push(r.entry);
      const ip = parseIp(r.entry.network)!;
      const { prefix } = r.entry;
      if (r.entry.family === 4) {
        const level = v4Level(prefix);
        let m = by4.get(level);
        if (!m) by4.set(level, (m = new Map()));
        // The network's bits below `prefix` are zero, so adding i walks the networks it covers.
        const first = v4Key(v4Int(ip.bytes), level);
        for (let i = 0, n = 2 ** (level - prefix); i < n; i++) {
          const key = (first + i) | 0;
          const held = m.get(key);
          // The longer prefix is the more specific entry; among equals the first listed stays.
          if (!held || held.prefix < prefix) m.set(key, r.entry);
        }
      } else {
        let m = by6.get(prefix);
        if (!m) by6.set(prefix, (m = new Map()));
        const key = maskedKey(ip.bytes, prefix);
        if (!m.has(key)) m.set(key, r.entry);
      }
    }
    this.entries = Object.freeze(entries);
    const v4 = [...by4.entries()].sort((a, b) => b[0] - a[0]);
    this.v4Levels = v4.map(([level]) => level);
    this.v4Maps = v4.map(([, m]) => m);
    this.v6 = [...by6.entries()].sort((a, b) => b[0] - a[0]);
  }

  get size(): number {
    return this.entries.length;
  }

  /** The most specific entry containing the address, or undefined (also for non-IP input). */
  match(address: string | ParsedIp): CidrEntry | undefined {
    const ip = typeof address === 'string' ? parseIp(address) : address;
    if (!ip) return undefined;
    if (ip.family === 4) {
      // Every entry in a longer table has a longer prefix than any in a shorter one, so the
      // first hit is the most specific.
      const addr = v4Int(ip.bytes);
      const levels = this.v4Levels;
      for (let i = 0; i < levels.length; i++) {
        const hit = this.v4Maps[i]!.get(v4Key(addr, levels[i]!));
        if (hit) return hit;
      }
      return undefined;
    }
    for (const [prefix, m] of this.v6) {
      const hit = m.get(maskedKey(ip.bytes, prefix));
      if (hit) return hit;
    }
    return undefined;
  }

  /**
   * The same answer as {@link match} for address text, remembered per text. The peers a gateway
   * sees are few (its proxies), so nearly every request is one map probe instead of parsing the
   * address and probing a table per prefix length. The set is immutable, so a remembered answer
   * never goes stale; the memo is emptied when it reaches MEMO_LIMIT, so an address spray costs
   * at most the unmemoised lookup and bounded memory.
   */
  lookup(text: string): CidrEntry | undefined {
    // No address literal is this long; longer text is answered but not kept (bounded memory).
    if (text.length > MEMO_MAX_TEXT) return this.match(text);
    const known = this.memo.get(text);
    if (known !== undefined) return known ?? undefined;
    const entry = this.match(text);
    if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
    this.memo.set(text, entry ?? null);
    return entry;
  }

  has(address: string | ParsedIp): boolean {
    return (typeof address === 'string' ? this.lookup(address) : this.match(address)) !== undefined;
  }
}

/** Most address texts one CidrSet remembers before starting over. */
export const MEMO_LIMIT = 1024;

/** Longest text remembered: an IPv6 literal with brackets and a zone fits well within it. */
const MEMO_MAX_TEXT = 80;
