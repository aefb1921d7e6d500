/**
 * Reading a header's values as HeaderMap holds them (a string when sent once, an array when
 * repeated), without building arrays or closures: these run on every request.
 */

type Values = string | readonly string[] | undefined;

/** How many times a header arrived (0 when absent). */
export function countOf(v: Values): number {
  return v === undefined ? 0 : typeof v === 'string' ? 1 : v.length;
}

/** The first value of a header, or undefined when it is absent. */
export function firstOf(v: Values): string | undefined {
  return typeof v === 'string' ? v : v?.[0];
}

/** The value of a header sent exactly once; undefined when it is absent or repeated. */
export function onlyOf(v: Values): string | undefined {
  return typeof v === 'string' ? v : v?.length === 1 ? v[0] : undefined;
}
