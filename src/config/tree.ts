/**
 * Plain config trees (parsed JSON: objects, arrays, strings, numbers, booleans): freezing them and
 * addressing their values by dotted path (`gateway.auth.token`). Arrays are leaves: a list is set
 * and compared as a whole.
 */

/** Freezes an object graph in place and returns it. */
export function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const child of Object.values(v)) deepFreeze(child);
  }
  return v;
}

/** A plain object (not an array, not null): the only kind of value a path descends into. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `prefix.key`, or `key` at the root. */
export function childPath(prefix: string, key: string): string {
  return prefix ? `${prefix}.${key}` : key;
}

/**
 * Visits `value` (found at `path`) and, while `visit` returns true, every value below it in
 * key order: objects are descended into, everything else is a leaf.
 */
export function walk(value: unknown, path: string, visit: (path: string, value: unknown) => boolean): void {
  if (!visit(path, value) || !isPlainObject(value)) return;
  for (const [k, v] of Object.entries(value)) walk(v, childPath(path, k), visit);
}

/** Every leaf below the root, by dotted path (the root itself is never a leaf). */
export function leaves(value: unknown): Map<string, unknown> {
  const out = new Map<string, unknown>();
  walk(value, '', (path, v) => {
    if (isPlainObject(v)) return true;
    if (path) out.set(path, v);
    return false;
  });
  return out;
}

/** The value at a dotted path, or undefined when any step is missing. */
export function getPath(root: unknown, path: string): unknown {
  let cur: unknown = root;
  for (const k of path.split('.')) {
    if (!cur || typeof cur !== 'object' || !(k in cur)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/**
 * Sets the value at a dotted path of a mutable tree, creating objects on the way (replacing a
 * value that is not an object). `undefined` removes the key.
 */
export function setPath(root: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop() as string;
  let cur = root;
  for (const k of keys) {
    const next = cur[k];
    if (!isPlainObject(next)) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  if (value === undefined) delete cur[last];
  else cur[last] = value;
}
