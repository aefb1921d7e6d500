/**
 * IP parsing and normalisation. Pure; no sockets.
 */
import ipaddr from 'ipaddr.js';

export type Family = 4 | 6;

export interface ParsedIp {
  family: Family;
  /** Canonical text: dotted quad for IPv4 (IPv4-mapped IPv6 is unwrapped), RFC 5952 for IPv6. */
  text: string;
  /** Network-order bytes: 4 for IPv4, 16 for IPv6. */
  bytes: number[];
}

/**
 * Strict dotted quad ("0" to "255", no leading zeros, nothing else), without regexes: the form
 * every IPv4 peer address takes, parsed on every request. Returns undefined for anything else and
 * leaves the decision to the general path, so it can only agree with it.
 */
function dottedQuadBytes(s: string): number[] | undefined {
  const n = s.length;
  if (n < 7 || n > 15) return undefined;
  const bytes: number[] = [];
  let i = 0;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (s.charCodeAt(i) !== 46 /* . */) return undefined;
      i++;
    }
    const start = i;
    let v = 0;
    while (i < n && i - start < 3) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
      i++;
    }
    const len = i - start;
    if (len === 0 || v > 255 || (len > 1 && s.charCodeAt(start) === 48)) return undefined;
    bytes.push(v);
  }
  return i === n ? bytes : undefined;
}

/**
 * Parses an IP literal. IPv4-mapped IPv6 (`::ffff:10.0.0.1`) becomes IPv4, so a dual-stack
 * listener and an IPv4 config entry agree. Strips `[...]` and an IPv6 zone (`%eth0`).
 * Returns undefined for anything that is not a plain IP literal.
 */
export function parseIp(input: string): ParsedIp | undefined {
  let s = input.trim();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (!s) return undefined;
  const quad = dottedQuadBytes(s);
  // A strict dotted quad is already canonical text.
  if (quad) return { family: 4, text: s, bytes: quad };
  // ipaddr.isValid accepts legacy forms such as "127.1" or "0x7f.1"; only strict literals count here.
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  if (ipaddr.IPv4.isValidFourPartDecimal(s)) {
    addr = ipaddr.IPv4.parse(s);
  } else if (s.includes(':') && ipaddr.IPv6.isValid(s)) {
    addr = ipaddr.IPv6.parse(s);
    if (addr.isIPv4MappedAddress()) addr = addr.toIPv4Address();
  } else {
    return undefined;
  }
  if (addr.kind() === 'ipv4') {
    return { family: 4, text: addr.toString(), bytes: addr.toByteArray() };
  }
  return { family: 6, text: (addr as ipaddr.IPv6).toRFC5952String(), bytes: addr.toByteArray() };
}

/** Canonical text of an address, or the input unchanged when it is not an IP literal. */
export function normalizeIp(input: string): string {
  return parseIp(input)?.text ?? input;
}

/** True for 127.0.0.0/8 and ::1 (after unwrapping IPv4-mapped addresses). */
export function isLoopbackIp(input: string): boolean {
  const ip = parseIp(input);
  if (!ip) return false;
  if (ip.family === 4) return ip.bytes[0] === 127;
  return ip.bytes.slice(0, 15).every((b) => b === 0) && ip.bytes[15] === 1;
}
