/**
 * Small statistics helpers. Ratios are what the benchmark quotes: the machine is shared, so each
 * gateway run is compared with the baseline run next to it.
 */

/** @param {number[]} xs */
export function median(xs) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * The p-th percentile (nearest rank, p from 0 to 100) of values already sorted ascending; NaN when
 * there are none.
 * @param {ArrayLike<number>} sorted
 * @param {number} p
 */
export function percentileOfSorted(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1))];
}

/**
 * The p-th percentile (nearest rank, p from 0 to 100) of `xs`, in any order.
 * @param {number[]} xs
 * @param {number} p
 */
export function percentile(xs, p) {
  return percentileOfSorted([...xs].sort((a, b) => a - b), p);
}

/**
 * Median of the per-pair ratios a[i] / b[i] (runs i of gateway and baseline, taken back to back).
 * @param {number[]} a
 * @param {number[]} b
 */
export function pairedRatio(a, b) {
  const n = Math.min(a.length, b.length);
  const ratios = [];
  for (let i = 0; i < n; i++) if (b[i] > 0) ratios.push(a[i] / b[i]);
  return median(ratios);
}

/** True when `x` is a finite number (a figure that could not be measured is not). */
export function measured(x) {
  return typeof x === 'number' && Number.isFinite(x);
}
