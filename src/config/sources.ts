/**
 * Where a config value came from, for `mayros config get`: one of the sources recorded while
 * loading, or, for an object whose leaves came from several, all of them.
 */
import type { ValueSource } from './load.js';
import { isPlainObject, walk } from './tree.js';

/** Strongest first, as they override each other (a generated token fills an unset one). */
const ORDER: readonly ValueSource[] = ['flag', 'env', 'file', 'generated', 'default'];

/**
 * The source of the value at `path` (dotted; '' for the whole config): `file`, `env`, `flag`,
 * `generated` or `default` when every leaf below it shares one, else `mixed: file, default` (the
 * sources present, strongest first). `sources` holds an entry per explicitly set leaf.
 */
export function sourceOf(value: unknown, path: string, sources: ReadonlyMap<string, ValueSource>): string {
  const found = new Set<ValueSource>();
  walk(value, path, (at, v) => {
    const own = sources.get(at);
    if (own) found.add(own);
    else if (isPlainObject(v) && Object.keys(v).length > 0) return true;
    else found.add('default');
    return false;
  });
  const list = ORDER.filter((s) => found.has(s));
  return list.length === 1 ? list[0]! : `mixed: ${list.join(', ')}`;
}
