/**
 * The state one running gateway shares between its HTTP and WebSocket adapters.
 */
import type { IncomingMessage } from 'node:http';
import type { DatabaseState } from '../store/state.js';
import type { JournalSink } from '../journal/sink.js';
import type { GatewayLogs } from '../logs/index.js';
import type { GatewayMetrics } from '../metrics/seam.js';
import type { ChatRuns } from '../chat/runs.js';
import type { ResolvedConfig } from '../config/load.js';
import { usesSecret, type AuthPolicy } from '../auth/policy.js';
import type { FailureLimiter } from '../auth/rate-limit.js';
import type { AuthResult, Credentials, HeaderMap } from '../auth/types.js';
import { authorizeAsync, countsAsFailedAttempt } from '../auth/authorize.js';
import type { KeySource } from '../auth/assertion/key-source.js';
import { headerText } from '../auth/header-text.js';
import { onlyOf } from '../auth/header-values.js';
import type { AuthFailure } from '../auth/reasons.js';
import { wireCode } from '../protocol/reasons.js';
import type { Logger, LogLimiter } from './log.js';
import type { Presence } from './presence.js';
import type { Generation } from '../reload/generation.js';
import { clientIpOf, headersOf, mayExemptLoopback, peerOf } from './request.js';
import { parseBearer } from '../auth/bearer.js';

export interface GatewayContext {
  /**
   * The configuration generation in force; a reload replaces it in one assignment. A request
   * reads it once at its start and uses only that object for every decision it makes.
   */
  generation: Generation;
  /** `generation.resolved` as of this read (a request should hold its generation instead). */
  readonly resolved: ResolvedConfig;
  /** `generation.policy` as of this read. */
  readonly policy: AuthPolicy;
  /** `generation.limiter` as of this read. */
  readonly limiter: FailureLimiter;
  readonly logger: Logger;
  readonly rejectLog: LogLimiter;
  readonly presence: Presence;
  readonly startedAt: number;
  readonly now: () => number;
  readonly version: string;
  /** `generation.keys` as of this read: signing keys, set when gateway.auth.trustedProxy.assertion is. */
  readonly keys: KeySource | undefined;
  /** Filled in once listening. */
  port: number;
  /** The database opened at startup, or why it is not there (src/gateway/database.ts). */
  readonly database: DatabaseState;
  /** Where admissions, refusals and actions are recorded: the journal's recorder, or NO_JOURNAL. */
  journal: JournalSink;
  /** The latest log lines (fed by the logger) and who follows them. */
  readonly logs: GatewayLogs;
  /** What `GET /metrics` reports: PromMetrics when gateway.metrics.enabled, else NO_METRICS. */
  readonly metrics: GatewayMetrics;
  /** Chat runs in progress (src/chat/runs.ts). */
  readonly chat: ChatRuns;
}

export interface Decision {
  result: AuthResult;
  peer: string;
  client: string;
  /**
   * On a trusted-proxy refusal of a request that came from a configured proxy: the user its
   * identity header named (see claimedUserOf). Shown to the refused person and logged.
   */
  claimedUser?: string;
}

/** Longest claimed user name carried to a refused client or a log line. */
const CLAIMED_USER_MAX = 256;

/**
 * The user a trusted proxy named in a refused request: only when the refusal came after the
 * source check (the header came from a configured proxy, never straight from a client), and the
 * identity header held exactly one plain value. Control characters are replaced and the length
 * is capped: it is echoed to the person and written to the log. Not a secret: the refused person's
 * own sign-in, as their proxy passed it.
 */
export function claimedUserOf(failure: AuthFailure, headers: HeaderMap, policy: AuthPolicy): string | undefined {
  const r = failure.reason;
  if (!r.startsWith('trusted_proxy_') || r === 'trusted_proxy_untrusted_source' || r === 'trusted_proxy_user_ambiguous' || r === 'trusted_proxy_user_missing') return undefined;
  if (policy.mode !== 'trusted-proxy' || !policy.userHeader) return undefined;
  const v = headers[policy.userHeader];
  const one = onlyOf(v);
  // Decoded as the decision decodes it, so a UTF-8 name is shown as the person knows it.
  const user = one === undefined ? undefined : headerText(one)?.trim();
  if (!user || user.includes(',')) return undefined;
  const clean = user.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return clean.length > CLAIMED_USER_MAX ? `${clean.slice(0, CLAIMED_USER_MAX)}…` : clean;
}

/**
 * Runs the auth decision for a request: extracts plain data, consults and feeds the failure
 * limiter, and logs a refusal. `credentials` overrides the Authorization header (WS connect frame).
 * Returns a Promise only when a signed assertion must be verified; see whenDecided. `gen` is the
 * generation the request read at its start.
 */
export function decide(ctx: GatewayContext, req: IncomingMessage, surface: 'http' | 'ws', credentials?: Credentials, gen: Generation = ctx.generation): Decision | Promise<Decision> {
  const peer = peerOf(req);
  const { policy, limiter, keys } = gen;
  const headers = headersOf(req, policy, surface);
  const secret = usesSecret(policy);
  const client = secret ? clientIpOf(headers, peer, policy) : peer;
  const mayExempt = secret && mayExemptLoopback(headers, peer, policy);
  // The clock is read only by the failure limiter and by assertion verification (Date.now()
  // costs about 50 ns, a sixth of the rest of a trusted-proxy decision); otherwise 0 is passed.
  const now = secret || (policy.mode === 'trusted-proxy' && policy.assertion !== undefined) ? ctx.now() : 0;
  const pending = authorizeAsync(
    {
      peer,
      headers,
      // Only token and password read a credential; the other modes skip parsing Authorization.
      credentials: credentials ?? (secret ? { bearer: parseBearer(headers['authorization']) } : undefined),
      surface,
      lockedForMs: secret ? limiter.lockedFor(client, now, mayExempt) : 0,
    },
    policy,
    keys,
    now,
  );
  // The synchronous path (every mode but signed assertions) allocates no closure.
  if (!(pending instanceof Promise)) return settle(ctx, req, surface, secret, limiter, pending, peer, client, now, mayExempt, headers, policy);
  return pending.then((result) => settle(ctx, req, surface, secret, limiter, result, peer, client, now, mayExempt, headers, policy));
}

/** Feeds the failure limiter, logs a refusal, and wraps the result. */
function settle(ctx: GatewayContext, req: IncomingMessage, surface: 'http' | 'ws', secret: boolean, limiter: FailureLimiter, result: AuthResult, peer: string, client: string, now: number, mayExempt: boolean, headers: HeaderMap, policy: AuthPolicy): Decision {
  if (secret) {
    if (countsAsFailedAttempt(result)) limiter.recordFailure(client, now, mayExempt);
    else if (result.ok) limiter.recordSuccess(client, now);
  }
  if (result.ok) {
    ctx.metrics.authDecision(policy.mode, null);
    return { result, peer, client };
  }
  const reason = wireCode(result.failure);
  ctx.metrics.authDecision(policy.mode, reason);
  const claimedUser = claimedUserOf(result.failure, headers, policy);
  logRejection(ctx, { reason, peer, client, path: req.url ?? '', surface, ...detailOf(result.failure), ...(claimedUser !== undefined && { claimedUser }) });
  return claimedUser === undefined ? { result, peer, client } : { result, peer, client, claimedUser };
}

/** The closed-set detail some failures carry, for the log line only. */
function detailOf(failure: AuthFailure): { detail?: string } {
  if ('why' in failure) return { detail: failure.why };
  return failure.reason === 'trusted_proxy_header_invalid_utf8' ? { detail: failure.header } : {};
}

/**
 * Calls `then` with the decision: at once when it is ready, else when verification ends. A throw
 * from `then` after an await goes to `onError` instead of becoming an unhandled rejection.
 */
export function whenDecided(d: Decision | Promise<Decision>, then: (d: Decision) => void, onError: (err: unknown) => void): void {
  if (d instanceof Promise) d.then(then).catch(onError);
  else then(d);
}

/**
 * One line per request refused for a missing scope (through the rejection log's limiter): who,
 * what, which scope it needed and which the person has, so an operator can grant the right one.
 */
export function logScopeMissing(ctx: GatewayContext, fields: { user: string | null; method: string; what: string; needed: string; scopes: readonly string[]; peer: string; surface: 'http' | 'ws'; connId?: string }): void {
  const suppressed = ctx.rejectLog.take();
  if (suppressed < 0) return;
  ctx.logger.info({ event: 'scope_missing', ...fields, ...(suppressed ? { suppressed } : {}) }, 'request refused: scope missing');
}

export function logRejection(ctx: GatewayContext, fields: { reason: string; peer: string; client?: string; path: string; surface: string; detail?: string; claimedUser?: string }): void {
  const suppressed = ctx.rejectLog.take();
  if (suppressed < 0) return;
  // The path is logged without its query string: queries can carry secrets.
  const path = fields.path.split('?')[0];
  ctx.logger.warn({ event: 'auth_rejected', ...fields, path, ...(suppressed ? { suppressed } : {}) }, 'request rejected');
}
