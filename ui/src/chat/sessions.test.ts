import { describe, expect, it } from 'vitest';
import { listAfterEvent, neighbourOf, removeSession, sessionLabel, sortSessions, titleFrom, touchSession, upsertSession, withFirstPage, withOlderPage } from './sessions.js';
import { composerKey, sendable } from './composer.js';

const s = (key: string, updatedAt: number, title = '') => ({ key, title, updatedAt });

describe('the session list', () => {
  it('is most recently active first', () => {
    expect(sortSessions([s('a', 1), s('b', 3), s('c', 2)]).map((x) => x.key)).toEqual(['b', 'c', 'a']);
  });
  it('has one entry per key: a rename replaces, a new one is added', () => {
    const list = [s('a', 2, 'A'), s('b', 1, 'B')];
    expect(upsertSession(list, s('b', 1, 'Bee'))).toEqual([s('a', 2, 'A'), s('b', 1, 'Bee')]);
    expect(upsertSession(list, s('c', 3)).map((x) => x.key)).toEqual(['c', 'a', 'b']);
  });
  it('moves a session with a new message to the top, and drops a deleted one', () => {
    const list = [s('a', 2), s('b', 1)];
    expect(touchSession(list, 'b', 5).map((x) => x.key)).toEqual(['b', 'a']);
    expect(touchSession(list, 'zz', 5)).toEqual(list);
    expect(removeSession(list, 'a')).toEqual([s('b', 1)]);
  });
  it('after a delete shows the next session, else the previous, else none', () => {
    const list = [s('a', 3), s('b', 2), s('c', 1)];
    expect(neighbourOf(list, 'b')).toBe('c');
    expect(neighbourOf(list, 'c')).toBe('b');
    expect(neighbourOf([s('a', 1)], 'a')).toBeUndefined();
  });
  it('labels an untitled session "New chat"', () => {
    expect(sessionLabel({ title: '  ' })).toBe('New chat');
    expect(sessionLabel({ title: 'Plans' })).toBe('Plans');
  });
  it('titles a session from the first line of its first message, cut at a word', () => {
    expect(titleFrom('  How do I\nconfigure nginx?')).toBe('How do I');
    expect(titleFrom('word '.repeat(30), 20)).toBe('word word word word…');
    expect(titleFrom('x'.repeat(30), 10)).toBe('xxxxxxxxxx…');
  });
});

describe('the session list, a page at a time', () => {
  const keys = (p: { list: { key: string }[] }) => p.list.map((x) => x.key);
  it('puts an older page below the sessions listed, keeping an entry already there, and takes its cursor', () => {
    const shown = { list: [s('d', 4), s('c', 3)], next: 'c1' };
    const after = withOlderPage(shown, { sessions: [s('c', 3, 'stale'), s('b', 2), s('a', 1)], next: 'c2' });
    expect(after).toEqual({ list: [s('d', 4), s('c', 3), s('b', 2), s('a', 1)], next: 'c2' });
    expect(withOlderPage(after, { sessions: [] }).next).toBeUndefined();
  });
  it('a first page without `next` is the whole list', () => {
    expect(withFirstPage({ list: [s('z', 9), s('a', 1)], next: 'old' }, { sessions: [s('b', 2)] })).toEqual({ list: [s('b', 2)], next: undefined });
  });
  it('a first page fetched again replaces the top and keeps the older pages already shown, and their cursor', () => {
    // Listed: two pages of two (d c | b a), the cursor past a. Then c had a message: first page is c d.
    const shown = { list: [s('d', 4), s('c', 3), s('b', 2), s('a', 1)], next: 'past-a' };
    const after = withFirstPage(shown, { sessions: [s('c', 5), s('d', 4)], next: 'past-d' });
    expect(keys(after)).toEqual(['c', 'd', 'b', 'a']);
    expect(after.next).toBe('past-a');
  });
  it('a first page over a list of one page takes the new cursor; what it pushed down stays listed', () => {
    const shown = { list: [s('b', 2), s('a', 1)], next: 'past-a' };
    expect(withFirstPage(shown, { sessions: [s('n', 7), s('b', 2)], next: 'past-b' })).toEqual({ list: [s('n', 7), s('b', 2), s('a', 1)], next: 'past-a' });
    expect(withFirstPage({ list: [], next: undefined }, { sessions: [s('n', 7)], next: 'past-n' })).toEqual({ list: [s('n', 7)], next: 'past-n' });
  });
  it('orders ties as the gateway does: the greater key first', () => {
    const shown = { list: [s('m', 5), s('k', 5), s('j', 5)], next: 'past-j' };
    // The new first page ends at m (time 5): k and j come after it, x (time 5, greater key) would not.
    expect(keys(withFirstPage(shown, { sessions: [s('x', 5), s('m', 5)], next: 'past-m' }))).toEqual(['x', 'm', 'k', 'j']);
  });
});

describe('the session list after a chat event', () => {
  it.each([
    ['the first delta in a listed session moves it to the top', { seq: 0, state: 'delta' }, true, { reload: false, touch: true }],
    ['a later delta changes nothing', { seq: 3, state: 'delta' }, true, { reload: false, touch: false }],
    ['the end of an answer lists the sessions again', { seq: 4, state: 'final' }, true, { reload: true, touch: false }],
    ['an answer that ends at once moves it to the top and lists again', { seq: 0, state: 'error' }, true, { reload: true, touch: true }],
    ['an event of a session not listed (another tab made it) lists again', { seq: 0, state: 'delta' }, false, { reload: true, touch: false }],
  ] as const)('%s', (_, ev, listed, effect) => {
    expect(listAfterEvent(ev, listed)).toEqual(effect);
  });
});

describe('the composer', () => {
  const k = (key: string, mods: Partial<Record<'shiftKey' | 'altKey' | 'ctrlKey' | 'metaKey' | 'isComposing', boolean>> = {}) =>
    composerKey({ key, shiftKey: false, altKey: false, ctrlKey: false, metaKey: false, isComposing: false, ...mods });
  it('sends on Enter', () => expect(k('Enter')).toBe('send'));
  it.each(['shiftKey', 'altKey', 'ctrlKey', 'metaKey'] as const)('makes a new line on Enter with %s', (m) => expect(k('Enter', { [m]: true })).toBe('default'));
  it('leaves an Enter that ends an input-method composition alone', () => expect(k('Enter', { isComposing: true })).toBe('default'));
  it('leaves other keys alone', () => expect(k('a')).toBe('default'));
  it('sends only a message with something in it', () => {
    expect(sendable(' \n ')).toBe(false);
    expect(sendable(' x ')).toBe(true);
  });
});
