import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('allows the burst at once, then refills at the rate', () => {
    const b = new TokenBucket(5, 0);
    const first = Array.from({ length: 7 }, () => b.take(0, 2, 5));
    expect(first).toEqual([true, true, true, true, true, false, false]);
    expect(b.take(499, 2, 5)).toBe(false);
    expect(b.take(500, 2, 5)).toBe(true);
    expect(b.take(500, 2, 5)).toBe(false);
  });

  it('never holds more than the burst, however long it idles', () => {
    const b = new TokenBucket(3, 0);
    const after = Array.from({ length: 5 }, () => b.take(3_600_000, 100, 3));
    expect(after.filter(Boolean)).toHaveLength(3);
  });

  it('uses the rate and burst passed on each call (a reload applies at once)', () => {
    const b = new TokenBucket(1, 0);
    expect(b.take(0, 1, 1)).toBe(true);
    expect(b.take(100, 1, 1)).toBe(false);
    expect(b.take(200, 1000, 10)).toBe(true);
  });

  it('does not mint tokens when the clock goes backwards', () => {
    const b = new TokenBucket(1, 1000);
    expect(b.take(1000, 1, 1)).toBe(true);
    expect(b.take(0, 1, 1)).toBe(false);
  });
});
