import { describe, expect, it } from 'vitest';
import { listAfterEvent, neighbourOf, removeSession, sessionLabel, sortSessions, titleFrom, touchSession, upsertSession } from './sessions.js';
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
