/**
 * The benchmark's statistics (bench/lib/stats.js): every figure's p50/p99 comes from here, so a
 * wrong rank would move every quoted number.
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain JavaScript without declarations
import { median, percentile, percentileOfSorted } from '../../bench/lib/stats.js';

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 .. 1, unsorted

  it('is the smallest value with at least p% of the values at or below it', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile(hundred, 0)).toBe(1);
    expect(percentile([5, 1, 3], 50)).toBe(3);
    expect(percentile([5, 1, 3], 99)).toBe(5);
  });

  it('leaves its input alone and is NaN for no values', () => {
    const xs = [3, 1, 2];
    percentile(xs, 50);
    expect(xs).toEqual([3, 1, 2]);
    expect(percentile([], 50)).toBeNaN();
  });

  it('reads typed arrays already sorted without copying them', () => {
    const sorted = Float64Array.from([0.5, 1, 2, 4]);
    expect(percentileOfSorted(sorted, 50)).toBe(1);
    expect(percentileOfSorted(sorted, 99)).toBe(4);
  });

  it('agrees with the median on odd lengths', () => {
    const xs = [9, 2, 7, 4, 5];
    expect(percentile(xs, 50)).toBe(median(xs));
  });
});
