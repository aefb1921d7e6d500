/**
 * Resolves the real client address of a request from the TCP peer and forwarding headers.
 * Forwarding headers are read only when the peer is a trusted proxy, and X-Forwarded-For is
 * walked right to left: each trusted hop is skipped and the first untrusted address is the client.
 * The leftmost entry is whatever the client wrote, so it is used only when every hop is trusted.
 */
import type { CidrSet } from './cidr.js';
import { normalizeIp, parseIp } from './ip.js';

export type HeaderValue = string | string[] | undefined;

function allValues(v: HeaderValue): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

export interface ClientIpInput {
  peer: string;
  xForwardedFor?: HeaderValue;
  xRealIp?: HeaderValue;
}

export function resolveClientIp(input: ClientIpInput, trusted: CidrSet, allowRealIpFallback: boolean): string {
  const peer = normalizeIp(input.peer);
  if (!trusted.has(peer)) return peer;
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
