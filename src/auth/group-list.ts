/**
 * Reading a groups header into names: each piece between separators, trimmed, empty pieces
 * dropped, repeats dropped (the first one kept, in order). splitGroups gives the same list as
 * `[...new Set(text.split(sep).map((g) => g.trim()).filter(Boolean))]` (a property test compares
 * them), built without the four intermediate arrays and the Set; GroupNames remembers the list of
 * each header value it has read. This runs on every request that carries a groups header, and
 * was most of the decision's cost (docs/performance.md, figure 4).
 */
import { headerText } from './header-text.js';

/** Past this many names, repeats are found with a Set instead of a scan of the list so far. */
const SCAN_LIMIT = 16;

/** The whitespace trim() removes that is ASCII (tab, line feed, vertical tab, form feed, carriage return, space). */
const isAsciiSpace = (c: number) => c === 32 || (c >= 9 && c <= 13);

/**
 * The piece text[start, end) trimmed as String.prototype.trim would: ASCII whitespace is skipped
 * by hand (no string is made for it); when what is left starts or ends with a char trim() might
 * also remove (U+00A0 and above), trim() itself has the last word.
 */
function piece(text: string, start: number, end: number): string {
  while (start < end && isAsciiSpace(text.charCodeAt(start))) start++;
  while (end > start && isAsciiSpace(text.charCodeAt(end - 1))) end--;
  if (start === end) return '';
  const name = text.slice(start, end);
  return text.charCodeAt(start) >= 0xa0 || text.charCodeAt(end - 1) >= 0xa0 ? name.trim() : name;
}

export function splitGroups(text: string, separator: string): string[] {
  const out: string[] = [];
  let seen: Set<string> | undefined;
  let start = 0;
  for (;;) {
    const found = text.indexOf(separator, start);
    const end = found < 0 ? text.length : found;
    const name = piece(text, start, end);
    if (name !== '') {
      if (seen === undefined && out.length >= SCAN_LIMIT) seen = new Set(out);
      if (seen !== undefined ? !seen.has(name) : !out.includes(name)) {
        out.push(name);
        seen?.add(name);
      }
    }
    if (found < 0) return out;
    start = found + separator.length;
  }
}

/** How many header values a GroupNames remembers before it starts again (bounded memory). */
export const GROUPS_MEMO_LIMIT = 1024;

/** Longer values are read every time, not kept (a handful of them would fill the memory a memo may take). */
const GROUPS_MEMO_TEXT_MAX = 1024;

/**
 * The groups in a header value, per policy: decoded as the identity header is (UTF-8, NFC; see
 * headerText), split with the policy's separator, and remembered by the value's exact wire text.
 * Behind a proxy the same people send the same groups on every request, so after the first one a
 * value costs one map lookup, and the names it returns already carry their hashes for the scope
 * lookups that follow. The lists are frozen and shared: compare or read them, never change them.
 * Only a configured proxy's headers are ever read (the source check comes first), and the memo is
 * emptied when it reaches GROUPS_MEMO_LIMIT, so a flood of distinct values costs the unremembered
 * read and bounded memory.
 */
export class GroupNames {
  private readonly memo = new Map<string, readonly string[]>();

  constructor(readonly separator: string) {}

  /** The names in `wire` (a header value as Node gives it), or undefined when it is not UTF-8. */
  read(wire: string): readonly string[] | undefined {
    const known = this.memo.get(wire);
    if (known !== undefined) return known;
    const text = headerText(wire);
    if (text === undefined) return undefined;
    const names = Object.freeze(splitGroups(text, this.separator));
    if (wire.length <= GROUPS_MEMO_TEXT_MAX) {
      if (this.memo.size >= GROUPS_MEMO_LIMIT) this.memo.clear();
      this.memo.set(wire, names);
    }
    return names;
  }

  /** How many values are remembered (for tests). */
  get remembered(): number {
    return this.memo.size;
  }
}
