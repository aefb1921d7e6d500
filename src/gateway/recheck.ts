/**
 * Re-checking an open session against a new generation's rules, using only the facts it was
 * admitted on. Pure: the WebSocket adapter applies the verdict.
 */
import { authorizeAsync } from '../auth/authorize.js';
import type { Refusal } from '../auth/reasons.js';
import type { AuthResult } from '../auth/types.js';
import type { Identity } from '../protocol/identity.js';
import type { Generation } from '../reload/generation.js';
import { originAllowed } from '../auth/origin.js';
import type { AdmissionFacts } from './session.js';

export type RecheckVerdict =
  | { keep: true; preAuthorized: Identity | undefined }
  | { keep: false; failure: Refusal };

/**
 * Would `gen` still admit this session?
 * - The Host and browser origin checks run again (allowedHosts, allowedOrigins and trustedProxies
 *   may have changed).
 * - A connected session runs the full decision on its facts. The failure limiter is not
 *   consulted: a re-check is not a login attempt, and a lockout earned by others sharing the
 *   address must not cut off a session that presented the right secret.
 * - A session still waiting for `connect` keeps its place: in a mode that decides at the upgrade
 *   it is decided again now; otherwise it will be decided on its connect frame.
 * - A signed assertion is verified with the new keys and rules, at the time the session was
 *   admitted: the question is whether the new rules would have admitted it, not whether a
 *   short-lived token is still fresh. Only then is the verdict a Promise.
 */
export function recheckSession(facts: AdmissionFacts, connected: boolean, gen: Generation): RecheckVerdict | Promise<RecheckVerdict> {
  // The Host check runs again too (gateway.allowedHosts may have lost the name).
  if (!gen.hosts.allows(facts.headers['host'])) return { keep: false, failure: { reason: 'host_not_allowed' } };
  const origin = originAllowed({
    headers: facts.headers,
    peerIsTrustedProxy: gen.policy.trustedProxies.has(facts.peer),
    allowedOrigins: gen.resolved.config.gateway.controlUi.allowedOrigins,
  });
  if (!origin) return { keep: false, failure: { reason: 'origin_not_allowed' } };
  if (!connected && gen.policy.decidesAt === 'connect') return { keep: true, preAuthorized: undefined };
  const result = authorizeAsync({ peer: facts.peer, headers: facts.headers, credentials: facts.credentials, surface: 'ws', lockedForMs: 0 }, gen.policy, gen.keys, facts.at);
  return result instanceof Promise ? result.then(verdict) : verdict(result);
}

function verdict(result: AuthResult): RecheckVerdict {
  return result.ok ? { keep: true, preAuthorized: result.identity } : { keep: false, failure: result.failure };
}
