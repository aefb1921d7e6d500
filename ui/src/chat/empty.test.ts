import { describe, expect, it } from 'vitest';
import { emptyNote, type EmptyFacts } from './empty.js';

const facts = (f: Partial<EmptyFacts> & Pick<EmptyFacts, 'access'>): EmptyFacts => ({ loading: false, modelsUnconfigured: false, hasSessions: true, ...f });

describe('the line an empty transcript shows', () => {
  it('is none while the sessions and models load', () => {
    expect(emptyNote(facts({ loading: true, access: { kind: 'write' } }))).toBeUndefined();
  });
  it.each<[string, EmptyFacts, string]>([
    ['a writer with a model server', facts({ access: { kind: 'write' } }), 'Write a message below to start.'],
    ['a writer without a models section', facts({ access: { kind: 'write' }, modelsUnconfigured: true }), 'Chat needs a model server first (above).'],
    ['a reader of one of their sessions', facts({ access: { kind: 'read' } }), 'No messages in this session.'],
    ['a reader with no sessions', facts({ access: { kind: 'read' }, hasSessions: false }), 'You have no chat sessions yet.'],
    ["an admin reading another person's session", facts({ access: { kind: 'others' }, modelsUnconfigured: true }), 'No messages in this session.'],
  ])('for %s', (_, f, line) => {
    expect(emptyNote(f)).toBe(line);
  });
});
