/**
 * The one token bucket: inbound WebSocket frames per session (gateway.limits.maxFramesPerSecond
 * and frameBurst) and log lines (see LogLimiter) are both paced by it.
 */

/**
 * Starts full at `burst` and refills at `rate` per second. Rate and burst are passed on each call,
 * so a config reload applies to buckets already in use. Two numbers per bucket: one is kept per
 * WebSocket session.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(burst: number, now: number) {
    this.tokens = burst;
    this.last = now;
  }

  /** Takes one token; false when there is none (the caller is over its rate). */
  take(now: number, rate: number, burst: number): boolean {
    // A clock that went backwards mints nothing.
    const elapsed = Math.max(0, now - this.last);
    this.last = now;
    this.tokens = Math.min(burst, this.tokens + (elapsed / 1000) * rate);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
