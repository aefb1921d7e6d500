/**
 * A configuration generation: one immutable snapshot of everything a decision reads (resolved
 * config, compiled policy and authorization, assertion keys, limits) plus the failure limiter that goes with it. The
 * context holds one reference; a reload builds the next generation in full (keys included) and
 * swaps the reference in a single assignment, so a request that read the reference at its start
 * never sees half of each.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import type { ResolvedConfig } from '../config/load.js';
import { compileAuthPolicy, type AuthPolicy } from '../auth/policy.js';
import { FailureLimiter } from '../auth/rate-limit.js';
import type { KeySource } from '../auth/assertion/key-source.js';
import type { KeySourceTuning } from '../auth/assertion/load-keys.js';
import { limitsFromConfig, type WsLimits } from '../config/limits.js';
import { compileHostCheck, type HostCheck } from '../auth/host.js';
import type { TlsMaterial } from './tls-material.js';
import { compileAuthorization, type CompiledAuthorization } from '../authz/compile.js';

export interface Generation {
  /** 1 at startup, +1 per applied reload. */
  readonly n: number;
  readonly resolved: ResolvedConfig;
  readonly policy: AuthPolicy;
  /** gateway.authorization compiled once: what scopesFor reads for every session and request. */
  readonly authorization: CompiledAuthorization;
  /** Assertion signing keys (trusted-proxy mode with gateway.auth.trustedProxy.assertion). */
  readonly keys: KeySource | undefined;
  /** Identifies where the keys came from (and a key file's content), to tell a reload changed them. */
  readonly keysFingerprint: string;
  readonly limits: WsLimits;
  /** Which Host values are served (gateway.allowedHosts and the bind). */
  readonly hosts: HostCheck;
  /** Carried over from the previous generation while `gateway.auth.rateLimit` is unchanged. */
  readonly limiter: FailureLimiter;
  /** `gateway.auth.sessionMaxAgeSec` in ms; 0 = unlimited. */
  readonly sessionMaxAgeMs: number;
  /** When this generation took effect (ms, the gateway clock). */
  readonly loadedAt: number;
  /** Config paths changed in the file that wait for a restart (listening socket, UI serving). */
  readonly pendingRestart: readonly string[];
  /** gateway.tls's files, read (src/reload/tls-material.ts); undefined without TLS. */
  readonly tls: TlsMaterial | undefined;
}

/** Where a policy's keys come from; a key file includes a hash of its content. */
export function keysFingerprint(policy: AuthPolicy): string {
  const a = policy.mode === 'trusted-proxy' ? policy.assertion : undefined;
  if (!a) return '';
  if (a.keys.kind === 'url') return `url:${a.keys.url}`;
  let digest = 'unreadable';
  try {
    digest = createHash('sha256').update(readFileSync(a.keys.path)).digest('hex');
  } catch {
    /* loadKeyFile reports it with the field and fix */
  }
  return `file:${a.keys.path}:${digest}`;
}

/**
 * The key source for `policy`: the previous one while the key URL is unchanged (it keeps its
 * cache and refresh schedule), else a new one (a key file is read again, a URL fetched once).
 * Throws ConfigError for a bad key file.
 */
export async function keysFor(policy: AuthPolicy, previous: Generation | undefined, tuning: KeySourceTuning): Promise<KeySource | undefined> {
  const a = policy.mode === 'trusted-proxy' ? policy.assertion : undefined;
  if (!a) return undefined;
  if (previous?.keys && a.keys.kind === 'url' && previous.keysFingerprint === keysFingerprint(policy)) return previous.keys;
  // Loaded only when assertions are configured, and jose with it (start-up time, docs/performance.md).
  const { createKeySource } = await import('../auth/assertion/load-keys.js');
  return createKeySource(a, tuning);
}

export interface GenerationOptions {
  n: number;
  now: number;
  previous?: Generation;
  /** The compiled policy, when the caller already has it (it needed it for the keys). */
  policy?: AuthPolicy;
  keys?: KeySource;
  limitOverrides?: Partial<WsLimits>;
  pendingRestart?: readonly string[];
  tls?: TlsMaterial;
}

export function buildGeneration(resolved: ResolvedConfig, opts: GenerationOptions): Generation {
  const a = resolved.config.gateway.auth;
  const prev = opts.previous;
  const policy = opts.policy ?? compileAuthPolicy(resolved);
  const keepLimiter = prev !== undefined && isDeepStrictEqual(prev.resolved.config.gateway.auth.rateLimit, a.rateLimit);
  return Object.freeze({
    n: opts.n,
    resolved,
    policy,
    authorization: compileAuthorization(resolved.config),
    keys: opts.keys,
    keysFingerprint: keysFingerprint(policy),
    limits: limitsFromConfig(resolved.config, opts.limitOverrides),
    hosts: compileHostCheck(resolved),
    limiter: keepLimiter ? prev.limiter : new FailureLimiter(a.rateLimit),
    sessionMaxAgeMs: a.sessionMaxAgeSec * 1000,
    loadedAt: opts.now,
    pendingRestart: Object.freeze([...(opts.pendingRestart ?? [])]),
    tls: opts.tls,
  });
}
