/**
 * Per-client failure limiter: after `maxAttempts` failures inside `windowMs`, the client address
 * is locked out for `lockoutMs`. State is bounded: stale entries are pruned, and the table has a
 * hard cap so a flood of distinct addresses cannot grow memory without limit.
 */
import { isLoopbackIp } from '../net/ip.js';

export interface RateLimitOptions {
  maxAttempts: number;
  windowMs: number;
  lockoutMs: number;
  exemptLoopback: boolean;
  /** Most client entries kept; the oldest are dropped beyond it. */
  maxEntries?: number;
}

interface Entry {
  windowStart: number;
  failures: number;
  lockedUntil: number;
}

export class FailureLimiter {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;

  constructor(private readonly opts: RateLimitOptions) {
    this.maxEntries = opts.maxEntries ?? 100_000;
  }

  /**
   * `mayExempt` false: the request came through a proxy the gateway was not told about (it carries
   * forwarding headers from a peer outside trustedProxies), so a loopback address is that proxy's,
   * not a local tool's, and is counted like any other.
   */
  private exempt(client: string, mayExempt: boolean): boolean {
    return mayExempt && this.opts.exemptLoopback && isLoopbackIp(client);
  }

  /** Milliseconds left in the client's lockout, or 0. */
  lockedFor(client: string, now: number, mayExempt = true): number {
    if (this.exempt(client, mayExempt)) return 0;
    const e = this.entries.get(client);
    return e && e.lockedUntil > now ? e.lockedUntil - now : 0;
  }

  /** Records a failed attempt; returns the lockout now in force (ms), or 0. */
  recordFailure(client: string, now: number, mayExempt = true): number {
    if (this.exempt(client, mayExempt)) return 0;
    let e = this.entries.get(client);
    if (!e || now - e.windowStart > this.opts.windowMs) {
      if (e) this.entries.delete(client);
      e = { windowStart: now, failures: 0, lockedUntil: e && e.lockedUntil > now ? e.lockedUntil : 0 };
      if (this.entries.size >= this.maxEntries) this.prune(now);
      this.entries.set(client, e);
    }
    e.failures++;
    if (e.failures >= this.opts.maxAttempts && this.opts.lockoutMs > 0) {
      e.lockedUntil = now + this.opts.lockoutMs;
      e.failures = 0;
      e.windowStart = now;
    }
    return e.lockedUntil > now ? e.lockedUntil - now : 0;
  }

  /** A success clears the client's failure count (not an active lockout). */
  recordSuccess(client: string, now: number): void {
    const e = this.entries.get(client);
    if (e && e.lockedUntil <= now) this.entries.delete(client);
  }

  get size(): number {
    return this.entries.size;
  }

  private prune(now: number): void {
    for (const [k, e] of this.entries) {
      if (e.lockedUntil <= now && now - e.windowStart > this.opts.windowMs) this.entries.delete(k);
    }
    // Still full: drop the oldest insertions (Map keeps insertion order).
    const excess = this.entries.size - Math.floor(this.maxEntries * 0.9);
    if (excess > 0) {
      let n = 0;
      for (const k of this.entries.keys()) {
        if (n++ >= excess) break;
        this.entries.delete(k);
      }
    }
  }
}
