/**
 * Splitting a groups header into names: each piece between separators, trimmed, empty pieces
 * dropped, repeats dropped (the first one kept, in order). The same list as
 * `[...new Set(text.split(sep).map((g) => g.trim()).filter(Boolean))]` (a property test compares
 * them), built without the four intermediate arrays and the Set: this runs on every request that
 * carries a groups header, and was most of the decision's cost (docs/performance.md, figure 4).
 */

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
