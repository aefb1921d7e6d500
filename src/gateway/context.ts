/**
 * The state one running gateway shares between its HTTP and WebSocket adapters.
 */
import type { IncomingMessage } from 'node:http';
import type { ResolvedConfig } from '../config/load.js';
import type { AuthPolicy } from '../auth/policy.js';
import type { FailureLimiter } from '../auth/rate-limit.js';
import type { AuthResult, Credentials } from '../auth/types.js';
import { authorize, countsAsFailedAttempt } from '../auth/authorize.js';
import { wireCode } from '../auth/reasons.js';
import type { Logger, LogLimiter } from './log.js';
import type { Presence } from './presence.js';
import type { Generation } from './generation.js';
import { bearerOf, clientIpOf, headersOf, peerOf } from './request.js';

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
  /** Filled in once listening. */
  port: number;
}

export interface Decision {
  result: AuthResult;
  peer: string;
  client: string;
}

/**
 * Runs the auth decision for a request: extracts plain data, consults and feeds the failure
 * limiter, and logs a refusal. `credentials` overrides the Authorization header (WS connect frame).
 * `gen` is the generation the request read at its start.
 */
export function decide(ctx: GatewayContext, req: IncomingMessage, surface: 'http' | 'ws', credentials?: Credentials, gen: Generation = ctx.generation): Decision {
  const peer = peerOf(req);
  const { policy, limiter } = gen;
  const usesSecret = policy.mode === 'token' || policy.mode === 'password';
  const client = usesSecret ? clientIpOf(req, peer, policy) : peer;
  const now = ctx.now();
  const result = authorize(
    {
      peer,
      headers: headersOf(req),
      credentials: credentials ?? { bearer: bearerOf(req) },
      surface,
      lockedForMs: usesSecret ? limiter.lockedFor(client, now) : 0,
    },
    policy,
  );
  if (usesSecret) {
    if (countsAsFailedAttempt(result)) limiter.recordFailure(client, now);
    else if (result.ok) limiter.recordSuccess(client, now);
  }
  if (!result.ok) logRejection(ctx, { reason: wireCode(result.failure), peer, client, path: req.url ?? '', surface });
  return { result, peer, client };
}

export function logRejection(ctx: GatewayContext, fields: { reason: string; peer: string; client?: string; path: string; surface: string }): void {
  const suppressed = ctx.rejectLog.take();
  if (suppressed < 0) return;
  // The path is logged without its query string: queries can carry secrets.
  const path = fields.path.split('?')[0];
  ctx.logger.warn({ event: 'auth_rejected', ...fields, path, ...(suppressed ? { suppressed } : {}) }, 'request rejected');
}
