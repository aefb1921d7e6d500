/**
 * Browser WebSocket origin check (cross-site WebSocket hijacking defence). A request with an
 * Origin header is accepted only when that origin is the gateway's own, or is listed in
 * gateway.controlUi.allowedOrigins. An origin is scheme + host + port (default ports normalised):
 * the gateway's own is `http://` + the Host the request came in on, or, when the peer is a
 * trusted proxy, the scheme of its X-Forwarded-Proto and the host of its X-Forwarded-Host. So a
 * page on `http://gw.example.com` is not the `https://gw.example.com` a TLS proxy serves: a plain
 * http page can be injected by anyone on the network path.
 */
import { firstOf, onlyOf } from './header-values.js';
import type { HeaderMap } from './types.js';

/** The headers the origin check reads (WebSocket upgrades and session re-checks). */
export const ORIGIN_HEADERS = ['origin', 'host', 'x-forwarded-host', 'x-forwarded-proto'] as const;

/** The first entry of a comma-separated list (a proxy chain appends; the first is the browser's). */
function firstListed(v: string | readonly string[] | undefined): string | undefined {
  const s = firstOf(v);
  if (s === undefined) return undefined;
  const head = s.split(',')[0]!.trim();
  return head === '' ? undefined : head;
}

/** `scheme//host` as an origin, or undefined when `host` is not a bare host[:port]. */
export function originOf(scheme: 'http:' | 'https:', host: string): string | undefined {
  if (/[/?#@\s\\]/.test(host)) return undefined;
  try {
    return new URL(`${scheme}//${host}`).origin;
  } catch {
    return undefined;
  }
}

export interface OriginCheckInput {
  headers: HeaderMap;
  peerIsTrustedProxy: boolean;
  allowedOrigins: readonly string[];
}

/**
 * The gateway's own origin for this request: see the module comment. Undefined when it cannot be
 * told (no Host, or a trusted proxy's X-Forwarded-Proto that is neither http nor https).
 */
export function ownOrigin({ headers, peerIsTrustedProxy }: Omit<OriginCheckInput, 'allowedOrigins'>): string | undefined {
  let host = firstOf(headers['host'])?.trim();
  let scheme: 'http:' | 'https:' = 'http:';
  if (peerIsTrustedProxy) {
    host = firstListed(headers['x-forwarded-host']) ?? host;
    const proto = firstListed(headers['x-forwarded-proto'])?.toLowerCase();
    if (proto === 'https') scheme = 'https:';
    else if (proto !== undefined && proto !== 'http') return undefined;
  }
  return host ? originOf(scheme, host) : undefined;
}

export function originAllowed({ headers, peerIsTrustedProxy, allowedOrigins }: OriginCheckInput): boolean {
  const originValues = headers['origin'];
  if (originValues === undefined) return true; // not a browser: nothing to hijack
  const sent = onlyOf(originValues);
  if (sent === undefined) return false;
  const origin = sent.trim();
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // includes "null" (sandboxed frames, file: pages)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (allowedOrigins.includes('*') || allowedOrigins.includes(url.origin)) return true;
  const own = ownOrigin({ headers, peerIsTrustedProxy });
  return own !== undefined && own === url.origin;
}
