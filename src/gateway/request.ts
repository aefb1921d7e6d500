/**
 * Adapters from Node's IncomingMessage to the plain data the auth decision reads.
 */
import type { IncomingMessage } from 'node:http';
import type { AuthPolicy } from '../auth/policy.js';
import type { HeaderMap } from '../auth/types.js';
import { resolveClientIp } from '../net/client-ip.js';
import { normalizeIp } from '../net/ip.js';

/** The TCP peer, normalised (IPv4-mapped IPv6 unwrapped). */
export function peerOf(req: IncomingMessage): string {
  return normalizeIp(req.socket.remoteAddress ?? '');
}

/**
 * Headers with repeats kept apart. Node joins repeats of most headers with ", " in
 * `req.headers`; `headersDistinct` keeps each value, so a doubled identity header is visible.
 */
export function headersOf(req: IncomingMessage): HeaderMap {
  return req.headersDistinct as HeaderMap;
}

/** The bearer credential from the Authorization header values, if exactly one `Bearer ...` was sent. */
export function parseBearer(values: readonly string[] | undefined): string | undefined {
  if (!values || values.length !== 1) return undefined;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(values[0]!);
  return m ? m[1] : undefined;
}

/** The bearer credential from `Authorization: Bearer ...`, if exactly one was sent. */
export function bearerOf(req: IncomingMessage): string | undefined {
  return parseBearer(req.headersDistinct['authorization']);
}

/** The client address for the failure limiter: resolved through trusted proxies. */
export function clientIpOf(req: IncomingMessage, peer: string, policy: AuthPolicy): string {
  const h = req.headersDistinct;
  return resolveClientIp({ peer, xForwardedFor: h['x-forwarded-for'], xRealIp: h['x-real-ip'] }, policy.trustedProxies, policy.allowRealIpFallback);
}
