/**
 * A configuration generation: one immutable snapshot of everything a decision reads (resolved
 * config, compiled policy, limits) plus the failure limiter that goes with it. The context holds
 * one reference; a reload builds the next generation in full and swaps the reference in a single
 * assignment, so a request that read the reference at its start never sees half of each.
 */
import { isDeepStrictEqual } from 'node:util';
import type { ResolvedConfig } from '../config/load.js';
import { compileAuthPolicy, type AuthPolicy } from '../auth/policy.js';
import { FailureLimiter } from '../auth/rate-limit.js';
import { limitsFromConfig, type WsLimits } from './limits.js';

export interface Generation {
  /** 1 at startup, +1 per applied reload. */
  readonly n: number;
  readonly resolved: ResolvedConfig;
  readonly policy: AuthPolicy;
  readonly limits: WsLimits;
  /** Carried over from the previous generation while `gateway.auth.rateLimit` is unchanged. */
  readonly limiter: FailureLimiter;
  /** `gateway.auth.sessionMaxAgeSec` in ms; 0 = unlimited. */
  readonly sessionMaxAgeMs: number;
  /** When this generation took effect (ms, the gateway clock). */
  readonly loadedAt: number;
  /** Config paths changed in the file that wait for a restart (listening socket, UI serving). */
  readonly pendingRestart: readonly string[];
}

export interface GenerationOptions {
  n: number;
  now: number;
  previous?: Generation;
  limitOverrides?: Partial<WsLimits>;
  pendingRestart?: readonly string[];
}

export function buildGeneration(resolved: ResolvedConfig, opts: GenerationOptions): Generation {
  const a = resolved.config.gateway.auth;
  const prev = opts.previous;
  const keepLimiter = prev !== undefined && isDeepStrictEqual(prev.resolved.config.gateway.auth.rateLimit, a.rateLimit);
  return Object.freeze({
    n: opts.n,
    resolved,
    policy: compileAuthPolicy(resolved.config),
    limits: limitsFromConfig(resolved.config, opts.limitOverrides),
    limiter: keepLimiter ? prev.limiter : new FailureLimiter(a.rateLimit),
    sessionMaxAgeMs: a.sessionMaxAgeSec * 1000,
    loadedAt: opts.now,
    pendingRestart: Object.freeze([...(opts.pendingRestart ?? [])]),
  });
}
