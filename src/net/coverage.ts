/**
 * Whether a list of CIDR entries, taken together, contains every address of a family: "0.0.0.0/0"
 * alone, or "0.0.0.0/1" with "128.0.0.0/1", or 65,536 /16s. Pure.
 *
 * Peers are matched after IPv4-mapped IPv6 is unwrapped (parseIp), so the IPv4 family is every
 * IPv4 peer however it arrives; "::ffff:0:0/96" is parsed as "0.0.0.0/0" and counts here as IPv4.
 * The IPv6 family is every IPv6 peer; "::/0" covers it (and no IPv4 peer).
 */
import { parseCidr, type CidrEntry } from './cidr.js';
import { parseIp, type Family } from './ip.js';

export interface FamilyCoverage {
  family: Family;
  /**
   * The entries that together cover the family, as positions in the list: the widest ones, no
   * entry inside another. One position when a single entry covers everything.
   */
  indexes: number[];
}

const BITS: Record<Family, number> = { 4: 32, 6: 128 };

function start(entry: CidrEntry): bigint {
  let v = 0n;
  for (const b of parseIp(entry.network)!.bytes) v = (v << 8n) | BigInt(b);
  return v;
}

/**
 * The families `list` covers completely, each with the entries that do it. Entries that do not
 * parse are skipped (startup validation reports them on their own).
 */
export function coveredFamilies(list: readonly string[]): FamilyCoverage[] {
  const byFamily: Record<Family, Array<{ index: number; start: bigint; size: bigint }>> = { 4: [], 6: [] };
  const total: Record<Family, bigint> = { 4: 0n, 6: 0n };
  list.forEach((source, index) => {
    const r = parseCidr(source);
    if (!r.ok) return;
    const { family, prefix } = r.entry;
    const size = 1n << BigInt(BITS[family] - prefix);
    byFamily[family].push({ index, start: start(r.entry), size });
    total[family] += size;
  });
  const out: FamilyCoverage[] = [];
  for (const family of [4, 6] as const) {
    const space = 1n << BigInt(BITS[family]);
    // Cheap exit for every ordinary list: even counted with overlaps, it is smaller than the space.
    if (total[family] < space) continue;
    // CIDR blocks are nested or disjoint. Sorted by start, widest first among equal starts, a block
    // that starts before the end of the last kept block lies inside it; the kept ones are disjoint.
    const ranges = byFamily[family].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.size > b.size ? -1 : a.size < b.size ? 1 : a.index - b.index));
    const kept: number[] = [];
    let end = 0n;
    let sum = 0n;
    for (const r of ranges) {
      if (kept.length > 0 && r.start < end) continue;
      kept.push(r.index);
      end = r.start + r.size;
      sum += r.size;
    }
    if (sum === space) out.push({ family, indexes: kept.sort((a, b) => a - b) });
  }
  return out;
}
