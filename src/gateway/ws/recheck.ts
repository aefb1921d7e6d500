/**
 * Re-checking open sessions against a new generation's rules, using only the facts each was
 * admitted on: recheckSession is the pure verdict; recheckOne and recheckAll apply it (a refused
 * session is closed with the code of the rule that now refuses it; a kept one gets the scopes the
 * new rules give it).
 */
import { authorizeAsync } from '../../auth/authorize.js';
import { scopesFor } from '../../authz/decide.js';
import { originAllowed } from '../../auth/origin.js';
import type { Refusal } from '../../auth/reasons.js';
import type { AuthResult } from '../../auth/types.js';
import type { Identity } from '../../protocol/identity.js';
import { wireCode } from '../../protocol/reasons.js';
import type { Generation } from '../../reload/generation.js';
import type { RecheckReport } from '../../reload/reloader.js';
import { closeSession } from './close.js';
import { fromTrustedProxy } from '../../auth/source.js';
import { currentVia } from '../request.js';
import { updateScopes } from './scopes.js';
import { scheduleExpiry, type AdmissionFacts, type Session } from './session.js';
import type { WsState } from './state.js';

export type RecheckVerdict =
  | { keep: true; preAuthorized: Identity | undefined }
  | { keep: false; failure: Refusal };

/**
 * Would `gen` still admit this session?
 * - The Host and browser origin checks run again (allowedHosts, allowedOrigins and trustedProxies
 *   may have changed), and the transport is judged by the new rules (trustedProxies, the allowed
 *   client certificate names, and whether the CA that verified its certificate is still there).
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
  const via = currentVia(facts.via, gen.tls?.anchors);
  const origin = originAllowed({
    headers: facts.headers,
    peerIsTrustedProxy: fromTrustedProxy(via, gen.policy),
    allowedOrigins: gen.resolved.config.gateway.controlUi.allowedOrigins,
  });
  if (!origin) return { keep: false, failure: { reason: 'origin_not_allowed' } };
  if (!connected && gen.policy.decidesAt === 'connect') return { keep: true, preAuthorized: undefined };
  const result = authorizeAsync({ via, headers: facts.headers, credentials: facts.credentials, surface: 'ws', lockedForMs: 0 }, gen.policy, gen.keys, facts.at);
  return result instanceof Promise ? result.then(verdict) : verdict(result);
}

function verdict(result: AuthResult): RecheckVerdict {
  return result.ok ? { keep: true, preAuthorized: result.identity } : { keep: false, failure: result.failure };
}

/** What re-checking one session did: closed it (with this wire code), or kept it (its scopes changed or not). */
export type RecheckOutcome = { readonly closed: string } | { readonly kept: true; readonly scopesChanged: boolean } | undefined;

const KEPT: RecheckOutcome = Object.freeze({ kept: true, scopesChanged: false });
const UPDATED: RecheckOutcome = Object.freeze({ kept: true, scopesChanged: true });

/**
 * Re-checks one session against `gen` and applies the verdict: a refused session is closed; a
 * connected one that is kept gets the scopes `gen`'s rules give the identity the decision admits
 * now (the same user, with the groups verified under the new config), and is told when they
 * changed (scopes.ts). Undefined when a newer generation took over or the session was already
 * closing. A Promise only while a signed assertion is verified.
 */
export function recheckOne(st: WsState, s: Session, gen: Generation): RecheckOutcome | Promise<RecheckOutcome> {
  const apply = (v: RecheckVerdict): RecheckOutcome => {
    // A newer generation re-checks it itself; a session already closing needs nothing.
    if (st.ctx.generation !== gen || s.closing) return undefined;
    if (!v.keep) {
      closeSession(st, s, v.failure, { event: 'session_revoked', detail: { generation: gen.n } });
      return { closed: wireCode(v.failure) };
    }
    if (!s.identity) {
      s.preAuthorized = v.preAuthorized;
      scheduleExpiry(s, gen.sessionMaxAgeMs);
      return KEPT;
    }
    scheduleExpiry(s, gen.sessionMaxAgeMs);
    // A connected session is always decided again, so the verdict carries its identity now.
    return updateScopes(st, s, scopesFor(v.preAuthorized ?? s.identity, gen.authorization)) ? UPDATED : KEPT;
  };
  const v = recheckSession(s.facts, s.identity !== undefined, gen);
  return v instanceof Promise ? v.then(apply) : apply(v);
}

/**
 * Re-checks every open session against `gen`; refused ones are closed with the reason code, kept
 * ones get their new scopes. Plain decisions are applied before this returns its promise; signed
 * assertions as their verification ends.
 */
export async function recheckAll(st: WsState, gen: Generation): Promise<RecheckReport> {
  const report: RecheckReport = { checked: 0, closed: 0, updated: 0, byReason: {} };
  const tally = (o: RecheckOutcome) => {
    if (!o) return;
    if ('closed' in o) {
      report.closed++;
      report.byReason[o.closed] = (report.byReason[o.closed] ?? 0) + 1;
    } else if (o.scopesChanged) report.updated++;
  };
  const waits: Array<Promise<void>> = [];
  for (const s of [...st.sessions]) {
    if (s.closing) continue;
    report.checked++;
    const r = recheckOne(st, s, gen);
    if (r instanceof Promise) waits.push(r.then(tally));
    else tally(r);
  }
  await Promise.all(waits);
  return report;
}
