/**
 * Browser WebSocket origin check (cross-site WebSocket hijacking defence). A request with an
 * Origin header is accepted only when that origin is the gateway's own (its host equals the Host
 * the request came in on, or X-Forwarded-Host when the peer is a trusted proxy), or is listed in
 * gateway.controlUi.allowedOrigins.
 */
import type { HeaderMap } from '../auth/types.js';

function first(v: string | readonly string[] | undefined): string | undefined {
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : v[0];
}

function hostFor(scheme: string, host: string): string | undefined {
  try {
    return new URL(`${scheme}//${host}`).host.toLowerCase();
  } catch {
    return undefined;
  }
}

export interface OriginCheckInput {
  headers: HeaderMap;
  peerIsTrustedProxy: boolean;
  allowedOrigins: readonly string[];
}

export function originAllowed({ headers, peerIsTrustedProxy, allowedOrigins }: OriginCheckInput): boolean {
  const originValues = headers['origin'];
  if (originValues === undefined) return true; // not a browser: nothing to hijack
  if (typeof originValues !== 'string' && originValues.length !== 1) return false;
  const origin = first(originValues)!.trim();
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // includes "null" (sandboxed frames, file: pages)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (allowedOrigins.includes('*') || allowedOrigins.includes(url.origin)) return true;
  let host = first(headers['host']);
  if (peerIsTrustedProxy) {
    const fwd = first(headers['x-forwarded-host']);
    // A proxy chain may list several hosts: the first is the one the browser used.
    if (fwd && fwd.trim()) host = fwd.split(',')[0]!.trim();
  }
  if (!host) return false;
  return hostFor(url.protocol, host) === url.host.toLowerCase();
}
