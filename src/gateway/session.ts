/**
 * One WebSocket session and the facts it was admitted on. The facts are kept so a config reload
 * can ask "would this session still be admitted?" with the same pure decision that admitted it.
 */
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import type { AuthPolicy } from '../auth/policy.js';
import type { Credentials, HeaderMap, Identity } from '../auth/types.js';
import type { FrameBucket } from './limits.js';

/** What a session was admitted on, in the shape the auth decision reads. */
export interface AdmissionFacts {
  /** TCP peer of the upgrade. */
  readonly peer: string;
  /** When the upgrade was decided (gateway clock): a signed assertion is re-verified as of then. */
  readonly at: number;
  /** The identity- and origin-relevant upgrade headers (see captureHeaders). */
  readonly headers: HeaderMap;
  /**
   * The secret from the connect frame (token and password modes). It equals the configured
   * secret the process already holds, so keeping it adds no new secret to memory; never logged.
   */
  credentials?: Credentials;
}

export interface Session {
  readonly connId: string;
  readonly ws: WebSocket;
  readonly peer: string;
  readonly connectedAt: number;
  identity: Identity | undefined;
  /** Set at the upgrade in trusted-proxy mode (and "none"). */
  preAuthorized: Identity | undefined;
  client: { name?: string; version?: string };
  /** Handshake timer, until `connect` completes. */
  timer: NodeJS.Timeout | undefined;
  /** Session age timer (trusted-proxy sessions with a sessionMaxAgeSec). */
  expiry: NodeJS.Timeout | undefined;
  readonly facts: AdmissionFacts;
  readonly bucket: FrameBucket;
  /** The upgrade request, kept only until `connect` (token/password decide on it). */
  req: IncomingMessage | undefined;
  /** Set once the gateway has decided to close it: later frames are ignored. */
  closing: boolean;
}

/** Headers always kept: the browser origin check reads them. */
const ORIGIN_HEADERS = ['origin', 'host', 'x-forwarded-host'] as const;

/**
 * Copies the upgrade headers a later re-check needs: the identity, groups, signed-assertion and
 * required headers of the policy that admitted the session, and the origin-check headers. Nothing
 * else is kept (cookies and other secrets stay out of long-lived memory; the assertion is kept
 * because re-verifying it is the point, and is never logged). A reload that starts reading a
 * header not kept here finds it missing, so the session is closed and reconnects: fail closed.
 */
export function captureHeaders(headers: HeaderMap, policy: AuthPolicy): HeaderMap {
  const names = new Set<string>(ORIGIN_HEADERS);
  if (policy.userHeader) names.add(policy.userHeader);
  if (policy.groupsHeader) names.add(policy.groupsHeader);
  if (policy.assertion) names.add(policy.assertion.header);
  for (const h of policy.requiredHeaders) names.add(h);
  const out: Record<string, string | readonly string[]> = {};
  for (const name of names) {
    const v = headers[name];
    if (v !== undefined) out[name] = typeof v === 'string' ? v : Object.freeze([...v]);
  }
  return Object.freeze(out);
}

/** setTimeout's ceiling; longer delays are re-armed when they fire. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * (Re)arms the session-age timer: only sessions whose identity a proxy asserted expire, since
 * the point is to let the proxy's current login decide again. `maxAgeMs` 0 disarms it.
 */
export function scheduleExpiry(s: Session, maxAgeMs: number, now: () => number, expire: (s: Session) => void): void {
  clearTimeout(s.expiry);
  s.expiry = undefined;
  const who = s.identity ?? s.preAuthorized;
  if (maxAgeMs <= 0 || who?.method !== 'trusted-proxy' || s.closing) return;
  const left = s.connectedAt + maxAgeMs - now();
  s.expiry = setTimeout(
    () => {
      if (now() >= s.connectedAt + maxAgeMs) expire(s);
      else scheduleExpiry(s, maxAgeMs, now, expire);
    },
    Math.min(Math.max(0, left), MAX_TIMER_MS),
  );
  s.expiry.unref();
}
