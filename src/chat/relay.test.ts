import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { AnswerRelay } from './relay.js';

function relay(saveEveryMs = 200) {
  const sent: string[] = [];
  const saved: string[] = [];
  let now = 1_000;
  const r = new AnswerRelay({ delta: (d) => sent.push(d), save: (t) => saved.push(t), now: () => now, saveEveryMs });
  return { r, sent, saved, advance: (ms: number) => (now += ms) };
}

describe('AnswerRelay', () => {
  it('holds every piece until the send is answered, then sends them as one delta', async () => {
    const { r, sent } = relay();
    r.push('Hel');
    r.push('lo');
    await nextTurn();
    expect(sent).toEqual([]);
    r.open();
    expect(sent).toEqual(['Hello']);
    expect(r.received).toBe('Hello');
  });

  it('sends the first piece of a burst at once and the rest of it at the next turn', async () => {
    const { r, sent } = relay();
    r.open();
    r.push('a');
    r.push('b');
    r.push('c');
    expect(sent).toEqual(['a']);
    await nextTurn();
    expect(sent).toEqual(['a', 'bc']);
    r.push('d');
    expect(sent).toEqual(['a', 'bc', 'd']);
  });

  it('close sends what is held and nothing after it', async () => {
    const { r, sent } = relay();
    r.open();
    r.push('a');
    r.push('b');
    r.close();
    expect(sent).toEqual(['a', 'b']);
    r.push('late');
    await nextTurn();
    expect(sent).toEqual(['a', 'b']);
  });

  it('saves the whole text so far at most every saveEveryMs, only once open', async () => {
    const { r, saved, advance } = relay(200);
    r.push('x');
    advance(500);
    expect(saved).toEqual([]);
    r.open();
    r.push('y');
    expect(saved).toEqual([]);
    await nextTurn();
    advance(200);
    r.push('z');
    expect(saved).toEqual(['xyz']);
    await nextTurn();
    advance(50);
    r.push('!');
    expect(saved).toEqual(['xyz']);
  });
});
