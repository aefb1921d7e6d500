import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GROUPS_MEMO_LIMIT, GroupNames, splitGroups } from './group-list.js';

/** What the decision did before: the reference. */
const reference = (text: string, sep: string) => [...new Set(text.split(sep).map((g) => g.trim()).filter(Boolean))];

describe('splitGroups', () => {
  it.each<[string, string, string[]]>([
    ['', ',', []],
    ['ops', ',', ['ops']],
    [' ops , dev ,, ops,', ',', ['ops', 'dev']],
    ['a;b; a', ';', ['a', 'b']],
    ['a::b::::c', '::', ['a', 'b', 'c']],
    ['\u00a0x\u3000,y', ',', ['x', 'y']],
  ])('%j split on %j is %j', (text, sep, want) => {
    expect(splitGroups(text, sep)).toEqual(want);
  });

  it('is the list the old expression gave, for any text and separator (long lists included)', () => {
    // Every char trim() removes, ASCII or not, next to names and separators.
    const space = fc.constantFrom(' ', '\t', '\n', '\v', '\f', '\r', '\u00a0', '\u1680', '\u2000', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff', '\u0085', '\u200b');
    const padded = fc.tuple(fc.array(space, { maxLength: 3 }), fc.constantFrom('ops', 'dev', 'a', 'é', ''), fc.array(space, { maxLength: 3 })).map(([l, n, r]) => l.join('') + n + r.join(''));
    const piece = fc.oneof(fc.constantFrom('', ' ', 'ops', 'dev', ' ops ', 'a', 'b', '\t', '\u00a0'), padded, fc.string({ maxLength: 4 }), fc.string({ unit: 'binary', maxLength: 4 }));
    const sep = fc.oneof(fc.constantFrom(',', ';', '|', '::', ', '), fc.string({ minLength: 1, maxLength: 3 }));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), sep, fc.constantFrom(',', ';', '::'), (pieces, s, joiner) => {
        const text = pieces.join(joiner);
        expect(splitGroups(text, s)).toEqual(reference(text, s));
      }),
      { numRuns: 3000 },
    );
    // Many distinct names with repeats: past the scan limit, the Set takes over.
    const many = Array.from({ length: 200 }, (_, i) => `g${i % 70}`).join(',');
    expect(splitGroups(many, ',')).toEqual(reference(many, ','));
  });
});

describe('GroupNames', () => {
  it('reads a wire value as UTF-8 in NFC, split and trimmed, and gives the same frozen list for the same value', () => {
    const names = new GroupNames(',');
    // "jürgen-team" as its UTF-8 bytes, one char per byte (as Node hands header values over), decomposed.
    const wire = Buffer.from(' ops, ju\u0308rgen-team ,ops', 'utf8').toString('latin1');
    const first = names.read(wire)!;
    expect(first).toEqual(['ops', 'j\u00fcrgen-team']);
    expect(Object.isFrozen(first)).toBe(true);
    expect(names.read(wire)).toBe(first);
    expect(names.read(`${wire} `)).not.toBe(first);
  });

  it('refuses a value that is not UTF-8, and does not remember it', () => {
    const names = new GroupNames(',');
    expect(names.read('ops,\u00ff')).toBeUndefined();
    expect(names.remembered).toBe(0);
  });

  it('keeps at most GROUPS_MEMO_LIMIT values, and none that is very long', () => {
    const names = new GroupNames(';');
    for (let i = 0; i < GROUPS_MEMO_LIMIT * 2 + 5; i++) expect(names.read(`g${i};h`)).toEqual([`g${i}`, 'h']);
    expect(names.remembered).toBeLessThanOrEqual(GROUPS_MEMO_LIMIT);
    const fresh = new GroupNames(',');
    const long = Array.from({ length: 300 }, (_, i) => `group${i}`).join(',');
    expect(fresh.read(long)).toHaveLength(300);
    expect(fresh.remembered).toBe(0);
  });
});
