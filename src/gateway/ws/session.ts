/**
 * One WebSocket session and the facts it was admitted on. The facts are kept so a config reload
 * can ask "would this session still be admitted?" with the same pure decision that admitted it.
 */
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import type { AuthPolicy } from '../../auth/policy.js';
import type { Credentials, HeaderMap } from '../../auth/types.js';
import type { Identity } from '../../protocol/identity.js';
import type { ScopeList } from '../../protocol/scopes.js';
import type { TokenBucket } from '../token-bucket.js';
import type { Via } from '../../net/transport.js';
import { ORIGIN_HEADERS } from '../../auth/origin.js';

/** What a session was admitted on, in the shape the auth decision reads. */
export interface AdmissionFacts {
  /** How the upgrade arrived: the Unix socket, or TCP/TLS from a peer (with its client certificate). */
  readonly via: Via;
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
  /** The client address the per-address caps count this session under; undefined when uncounted. */
  readonly addressKey: string | undefined;
  readonly connectedAt: number;
  identity: Identity | undefined;
  /** Set at the upgrade in trusted-proxy mode (and "none"). */
  preAuthorized: Identity | undefined;
  /**
   * What the session may do: computed once at `connect` from the identity and the generation's
   * rules (a shared frozen list, see scopesFor), recomputed by a reload's re-check; empty until
   * connect. Nothing the client sends is read for it.
   */
  scopes: ScopeList;
  client: { name?: string; version?: string };
  /** Handshake timer, until `connect` completes. */
  timer: NodeJS.Timeout | undefined;
  /**
   * When the session reaches its age (gateway clock, ms), or 0 for never: set for trusted-proxy
   * sessions with a sessionMaxAgeSec. One shared sweep closes due sessions (see expireDue).
   */
  expiresAt: number;
  readonly facts: AdmissionFacts;
  readonly bucket: TokenBucket;
  /** The upgrade request, kept only until `connect` (token/password decide on it). */
  req: IncomingMessage | undefined;
  /** Set once the gateway has decided to close it: later frames are ignored. */
  closing: boolean;
}

const namesByPolicy = new WeakMap<AuthPolicy, readonly string[]>();

/** The header names captureHeaders keeps for sessions admitted under `policy`, computed once per policy. */
function capturedNames(policy: AuthPolicy): readonly string[] {
  let names = namesByPolicy.get(policy);
  if (names === undefined) {
    names = [...new Set<string>([...ORIGIN_HEADERS, ...policy.sessionHeaders])];
    namesByPolicy.set(policy, names);
  }
  return names;
}

/**
 * Copies the upgrade headers a later re-check needs: the identity, groups, signed-assertion and
 * required headers of the policy that admitted the session, and the origin-check headers. Nothing
 * else is kept (cookies and other secrets stay out of long-lived memory; the assertion is kept
 * because re-verifying it is the point, and is never logged). A reload that starts reading a
 * header not kept here finds it missing, so the session is closed and reconnects: fail closed.
 * A header sent once is kept as a plain string (no array per header per session); repeats stay
 * a frozen array, so a re-check still sees the duplicate.
 */
export function captureHeaders(headers: HeaderMap, policy: AuthPolicy): HeaderMap {
  const out: Record<string, string | readonly string[]> = {};
  for (const name of capturedNames(policy)) {
    const v = headers[name];
    if (v === undefined) continue;
    if (typeof v === 'string') out[name] = v;
    else if (v.length === 1) out[name] = v[0]!;
    else out[name] = Object.freeze([...v]);
  }
  return Object.freeze(out);
}

/**
 * How often the shared sweep looks for sessions past their age: a session closes at most this
 * much after its deadline. One interval for every session replaces a timer (a Timeout and a
 * closure, about 0.3 KB) per session.
 */
export const EXPIRY_SWEEP_MS = 500;

/**
 * Sets the session's age deadline: only sessions whose identity a proxy asserted expire, since
 * the point is to let the proxy's current login decide again. `maxAgeMs` 0 clears it.
 */
export function scheduleExpiry(s: Session, maxAgeMs: number): void {
  const who = s.identity ?? s.preAuthorized;
  s.expiresAt = maxAgeMs > 0 && who?.method === 'trusted-proxy' && !s.closing ? s.connectedAt + maxAgeMs : 0;
}

/**
 * Calls `expire` for every open session whose deadline has passed. A linear scan: at one pass
 * every EXPIRY_SWEEP_MS it costs well under a millisecond for tens of thousands of sessions.
 */
export function expireDue(sessions: Iterable<Session>, now: number, expire: (s: Session) => void): void {
  for (const s of sessions) {
    if (s.expiresAt !== 0 && now >= s.expiresAt && !s.closing) expire(s);
  }
}
