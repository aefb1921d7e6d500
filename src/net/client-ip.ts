/**
 * Resolves the real client address of a request from the TCP peer and forwarding headers.
 * Forwarding headers are read only when the peer is a trusted proxy, and X-Forwarded-For is
 * walked right to left: each trusted hop is skipped and the first untrusted address is the client.
 * The leftmost entry is whatever the client wrote, so it is used only when every hop is trusted.
 */
import type { CidrSet } from './cidr.js';
import { normalizeIp, parseIp } from './ip.js';

export type HeaderValue = string | string[] | undefined;

/**
 * Headers a reverse proxy adds to say it forwarded the request (lowercase). A request carrying
 * any of them from a peer that is not in trustedProxies came through a proxy the gateway was not
 * told about: its peer address says nothing about the client.
 */
export const FORWARDING_HEADERS = Object.freeze(['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port', 'x-forwarded-server', 'x-real-ip', 'via'] as const);

/** True when `headers` (names lowercased) hold any FORWARDING_HEADERS entry, even a blank one. */
export function carriesForwarding(headers: Readonly<Record<string, unknown>>): boolean {
  for (let i = 0; i < FORWARDING_HEADERS.length; i++) if (headers[FORWARDING_HEADERS[i]!] !== undefined) return true;
  return false;
}

function allValues(v: HeaderValue): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

export interface ClientIpInput {
  /** The TCP peer address, or a label for a connection without one (the Unix socket's "unix"). */
  peer: string;
  /**
   * Whether the peer is a trusted proxy, when the caller knows it from more than its address (a
   * request on the gateway's Unix socket, a proxy's client certificate); default: `trusted.has(peer)`.
   */
  peerTrusted?: boolean;
  xForwardedFor?: HeaderValue;
  xRealIp?: HeaderValue;
}

export function resolveClientIp(input: ClientIpInput, trusted: CidrSet, allowRealIpFallback: boolean): string {
  const peer = normalizeIp(input.peer);
  if (!(input.peerTrusted ?? trusted.has(peer))) return peer;
  const hops = allValues(input.xForwardedFor)
    .join(',')
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h.length > 0);
  if (hops.length === 0) {
    if (allowRealIpFallback) {
      const real = allValues(input.xRealIp);
      if (real.length === 1) {
        const ip = parseIp(real[0]!);
        if (ip) return ip.text;
      }
    }
    return peer;
  }
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const ip = parseIp(hops[i]!);
    // A hop we cannot parse ends the walk: nothing to its left can be trusted.
    if (!ip) return client;
    client = ip.text;
    if (!trusted.has(ip)) return client;
  }
  return client;
}
