/**
 * Where a config value came from, for `mayros config get`: one of the sources recorded while
 * loading, or, for an object whose leaves came from several, all of them.
 */
import type { ValueSource } from './load.js';

/** Strongest first, as they override each other (a generated token fills an unset one). */
const ORDER: readonly ValueSource[] = ['flag', 'env', 'file', 'generated', 'default'];

function collect(value: unknown, path: string, sources: ReadonlyMap<string, ValueSource>, out: Set<ValueSource>): void {
  const own = sources.get(path);
  if (own) {
    out.add(own);
    return;
  }
  // Arrays are leaves: a list is set as a whole.
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value);
    for (const [k, v] of entries) collect(v, path ? `${path}.${k}` : k, sources, out);
    if (entries.length) return;
  }
  out.add('default');
}

/**
 * The source of the value at `path` (dotted; '' for the whole config): `file`, `env`, `flag`,
 * `generated` or `default` when every leaf below it shares one, else `mixed: file, default` (the
 * sources present, strongest first). `sources` holds an entry per explicitly set leaf.
 */
export function sourceOf(value: unknown, path: string, sources: ReadonlyMap<string, ValueSource>): string {
  const found = new Set<ValueSource>();
  collect(value, path, sources, found);
  const list = ORDER.filter((s) => found.has(s));
  return list.length === 1 ? list[0]! : `mixed: ${list.join(', ')}`;
}
