import { describe, expect, it } from 'vitest';
import { FailureLimiter } from './rate-limit.js';

const opts = { maxAttempts: 3, windowMs: 1000, lockoutMs: 5000, exemptLoopback: true };

describe('FailureLimiter', () => {
  it('locks a client out after maxAttempts failures in the window, for lockoutMs', () => {
    const l = new FailureLimiter(opts);
    expect(l.recordFailure('10.0.0.5', 0)).toBe(0);
    expect(l.recordFailure('10.0.0.5', 10)).toBe(0);
    expect(l.lockedFor('10.0.0.5', 20)).toBe(0);
    expect(l.recordFailure('10.0.0.5', 20)).toBe(5000);
    expect(l.lockedFor('10.0.0.5', 1020)).toBe(4000);
    expect(l.lockedFor('10.0.0.5', 5020)).toBe(0);
  });

  it('does not lock out other clients', () => {
    const l = new FailureLimiter(opts);
    for (let i = 0; i < 3; i++) l.recordFailure('10.0.0.5', i);
    expect(l.lockedFor('10.0.0.6', 5)).toBe(0);
  });

  it('forgets failures outside the window', () => {
    const l = new FailureLimiter(opts);
    l.recordFailure('10.0.0.5', 0);
    l.recordFailure('10.0.0.5', 10);
    expect(l.recordFailure('10.0.0.5', 2000)).toBe(0);
    expect(l.lockedFor('10.0.0.5', 2001)).toBe(0);
  });

  it('exempts loopback clients when configured, and only then', () => {
    const l = new FailureLimiter(opts);
    for (let i = 0; i < 5; i++) l.recordFailure('127.0.0.2', i);
    expect(l.lockedFor('127.0.0.2', 6)).toBe(0);
    const strict = new FailureLimiter({ ...opts, exemptLoopback: false });
    for (let i = 0; i < 3; i++) strict.recordFailure('127.0.0.2', i);
    expect(strict.lockedFor('127.0.0.2', 6)).toBeGreaterThan(0);
  });

  it('does not exempt loopback for a request that came through an unlisted proxy (mayExempt false)', () => {
    const l = new FailureLimiter(opts);
    for (let i = 0; i < 3; i++) l.recordFailure('127.0.0.1', i, false);
    expect(l.lockedFor('127.0.0.1', 4, false)).toBe(4998);
    // A local tool on the same address (no forwarding headers) is still exempt.
    expect(l.lockedFor('127.0.0.1', 4)).toBe(0);
  });

  it('a success clears the count but not a lockout', () => {
    const l = new FailureLimiter(opts);
    l.recordFailure('10.0.0.5', 0);
    l.recordFailure('10.0.0.5', 1);
    l.recordSuccess('10.0.0.5', 2);
    expect(l.recordFailure('10.0.0.5', 3)).toBe(0);
    l.recordFailure('10.0.0.5', 4);
    l.recordFailure('10.0.0.5', 5);
    l.recordSuccess('10.0.0.5', 6);
    expect(l.lockedFor('10.0.0.5', 7)).toBeGreaterThan(0);
  });

  it('keeps its table bounded under a flood of distinct addresses', () => {
    const l = new FailureLimiter({ ...opts, maxEntries: 100 });
    for (let i = 0; i < 1000; i++) l.recordFailure(`10.1.${i >> 8}.${i & 255}`, i);
    expect(l.size).toBeLessThanOrEqual(100);
  });
});
