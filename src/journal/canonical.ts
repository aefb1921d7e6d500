/**
 * Canonical JSON: the one serialisation of a JSON value that every writer and verifier produces,
 * so a hash over it is reproducible. Object members are sorted by key (UTF-16 code units, as
 * JavaScript compares strings), there is no whitespace, and strings and numbers are written as
 * JSON.stringify writes them. For the values the journal stores this is the JSON Canonicalization
 * Scheme (RFC 8785), which is defined in terms of the same ECMAScript serialisation.
 */

/** Thrown for a value that has no JSON form (undefined in an array, NaN, a Date, a cycle, ...). */
export class CanonicalJsonError extends Error {
  constructor(readonly path: string, what: string) {
    super(`journal payload${path ? ` at ${path}` : ''}: ${what}; payloads hold only strings, finite numbers, booleans, null, arrays and plain objects`);
    this.name = 'CanonicalJsonError';
  }
}

/**
 * The canonical JSON text of `value`. Object members whose value is `undefined` are left out (as
 * JSON.stringify does, so an optional field may be absent or undefined alike); anything else
 * without an exact JSON form is refused rather than silently changed.
 */
export function canonicalJson(value: unknown): string {
  return write(value, '', new Set());
}

function write(value: unknown, path: string, seen: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(path, `${value} is not a finite number`);
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new CanonicalJsonError(path, `a ${typeof value} has no JSON form`);
  }
  const obj = value as object;
  if (seen.has(obj)) throw new CanonicalJsonError(path, 'the value refers to itself');
  seen.add(obj);
  let out: string;
  if (Array.isArray(obj)) {
    out = `[${obj.map((v, i) => (v === undefined ? fail(`${path}[${i}]`) : write(v, `${path}[${i}]`, seen))).join(',')}]`;
  } else {
    const proto = Object.getPrototypeOf(obj);
    if (proto !== Object.prototype && proto !== null) throw new CanonicalJsonError(path, `a ${proto?.constructor?.name ?? 'non-plain'} object is not plain JSON`);
    const parts: string[] = [];
    for (const key of Object.keys(obj).sort()) {
      const v = (obj as Record<string, unknown>)[key];
      if (v === undefined) continue;
      parts.push(`${JSON.stringify(key)}:${write(v, path ? `${path}.${key}` : key, seen)}`);
    }
    out = `{${parts.join(',')}}`;
  }
  seen.delete(obj);
  return out;
}

function fail(path: string): never {
  throw new CanonicalJsonError(path, 'undefined has no JSON form in an array');
}
