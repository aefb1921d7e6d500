/** Paths inside a parsed config file. */

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `gateway.trustedProxies[0]`: keys joined with ".", array indexes in brackets (as config errors write them). */
export function dottedPath(keys: readonly (string | number)[]): string {
  return keys.map((k) => (typeof k === 'number' ? `[${k}]` : k)).join('.').replace(/\.\[/g, '[');
}
