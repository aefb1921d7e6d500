import { describe, expect, it } from 'vitest';
import { addSending, applyEvent, emptyTranscript, sendAccepted, sendRefused, streamingRun, withHistory, withOlder, type Transcript } from './transcript.js';
import type { ChatEvent } from './wire.js';

const S = 'sess-1';
const delta = (seq: number, text: string, runId = 'r1', sessionKey = S): ChatEvent => ({ runId, sessionKey, seq, state: 'delta', delta: text });
const apply = (t: Transcript, ...evs: ChatEvent[]) => evs.reduce((acc, ev) => applyEvent(acc, ev).transcript, t);
const answer = (t: Transcript, runId = 'r1') => t.entries.find((e) => e.id === `a:${runId}`);

function sent(text = 'hello'): Transcript {
  const t = addSending(emptyTranscript(S), 'l1', text, 'alice');
  return sendAccepted(t, 'l1', 'r1', S);
}

describe('the answer streams in by seq', () => {
  it('appends deltas in seq order, whatever order they arrive in', () => {
    const t = apply(sent(), delta(2, 'C'), delta(0, 'A'), delta(1, 'B'), delta(3, 'D'));
    expect(answer(t)).toMatchObject({ text: 'ABCD', state: 'streaming', nextSeq: 4, ahead: [] });
  });
  it('waits for a missing seq before showing what comes after it', () => {
    const t = apply(sent(), delta(0, 'A'), delta(2, 'C'));
    expect(answer(t)?.text).toBe('A');
    expect(answer(apply(t, delta(1, 'B')))?.text).toBe('ABC');
  });
  it('ignores an event it has already applied or is holding', () => {
    const t = apply(sent(), delta(0, 'A'), delta(0, 'A'), delta(2, 'C'), delta(2, 'C'), delta(1, 'B'));
    expect(answer(t)?.text).toBe('ABC');
  });
  it('settles with final: the stored text and usage win, later events change nothing', () => {
    const final: ChatEvent = { runId: 'r1', sessionKey: S, seq: 2, state: 'final', usage: { prompt: 3, completion: 2 }, message: { role: 'assistant', text: 'AB!', model: 'local/llama3.2', state: 'complete' } };
    const t = apply(sent(), delta(0, 'A'), delta(1, 'B'), final, delta(3, 'late'));
    expect(answer(t)).toEqual({ id: 'a:r1', role: 'assistant', runId: 'r1', text: 'AB!', state: 'complete', model: 'local/llama3.2', usage: { prompt: 3, completion: 2 } });
    expect(streamingRun(t)).toBeUndefined();
  });
  it('settles an end that came before its last delta only once the delta is in', () => {
    const t = apply(sent(), delta(0, 'A'), { runId: 'r1', sessionKey: S, seq: 2, state: 'aborted', reason: 'aborted' }, delta(1, 'B'));
    expect(answer(t)).toMatchObject({ text: 'AB', state: 'aborted' });
  });
  it('keeps the partial answer of a run that failed, with its reason', () => {
    const t = apply(sent(), delta(0, 'Hal'), { runId: 'r1', sessionKey: S, seq: 1, state: 'error', reason: 'provider_error' });
    expect(answer(t)).toMatchObject({ text: 'Hal', state: 'error', reason: 'provider_error' });
  });
  it('ignores events of another session', () => {
    const t = sent();
    expect(applyEvent(t, delta(0, 'x', 'r9', 'other'))).toEqual({ transcript: t, newRun: false });
  });
  it('offers the streaming run to Stop', () => {
    expect(streamingRun(apply(sent(), delta(0, 'A')))).toBe('r1');
  });
});

describe('sending', () => {
  it('shows the message at once, then its answer right after it', () => {
    const t0 = addSending(emptyTranscript(S), 'l1', 'hi', 'alice');
    expect(t0.entries).toEqual([{ id: 'u:l1', role: 'user', text: 'hi', state: 'sending', author: 'alice' }]);
    const t1 = sendAccepted(t0, 'l1', 'r1', S);
    expect(t1.entries.map((e) => [e.id, e.state])).toEqual([['u:l1', 'complete'], ['a:r1', 'streaming']]);
  });
  it('puts an answer whose events came before the reply behind the message', () => {
    const t0 = addSending(emptyTranscript(S), 'l1', 'hi');
    const early = applyEvent(t0, delta(0, 'A'));
    expect(early.newRun).toBe(true);
    const t1 = sendAccepted(early.transcript, 'l1', 'r1', S);
    expect(t1.entries.map((e) => e.id)).toEqual(['u:l1', 'a:r1']);
    expect(answer(t1)?.text).toBe('A');
  });
  it('keeps a refused message, with its reason', () => {
    const t = sendRefused(addSending(emptyTranscript(S), 'l1', 'hi'), 'l1', 'session_busy');
    expect(t.entries[0]).toMatchObject({ text: 'hi', state: 'error', reason: 'session_busy' });
  });
  it('a first message without a session: the reply names the new session', () => {
    const t = sendAccepted(addSending(emptyTranscript(), 'l1', 'hi'), 'l1', 'r1', 'new-key');
    expect(t.sessionKey).toBe('new-key');
  });
});

describe('a second tab of the same person', () => {
  it('follows a run it did not start from seq 0 and asks for the history', () => {
    const r = applyEvent(emptyTranscript(S), delta(0, 'A'));
    expect(r.newRun).toBe(true);
    expect(answer(r.transcript)).toMatchObject({ text: 'A', state: 'streaming' });
    expect(answer(r.transcript)?.joinedLate).toBeUndefined();
  });
  it('keeps its live answer when the history comes back with the stored (older) copy', () => {
    const live = apply(emptyTranscript(S), delta(0, 'A'), delta(1, 'B'));
    const page = { messages: [{ id: 1, role: 'user' as const, text: 'hi', runId: 'r1' }, { id: 2, role: 'assistant' as const, text: 'A', runId: 'r1', state: 'streaming' as const }] };
    const t = withHistory(live, S, page);
    expect(t.entries.map((e) => [e.id, e.text])).toEqual([['m:1', 'hi'], ['a:r1', 'AB']]);
    expect(answer(apply(t, delta(2, 'C')))?.text).toBe('ABC');
  });
  it('marks an answer first seen mid-stream, and shows the whole of it when it ends', () => {
    const r = applyEvent(emptyTranscript(S), delta(3, 'D'));
    expect(answer(r.transcript)).toMatchObject({ text: 'D', joinedLate: true });
    const t = apply(r.transcript, { runId: 'r1', sessionKey: S, seq: 4, state: 'final', message: { role: 'assistant', text: 'ABCD' } });
    expect(answer(t)).toMatchObject({ text: 'ABCD', state: 'complete' });
    expect(answer(t)?.joinedLate).toBeUndefined();
  });
  it('follows a stored streaming answer from the next event on', () => {
    const t = withHistory(emptyTranscript(S), S, { messages: [{ id: 2, role: 'assistant', text: 'AB', runId: 'r1', state: 'streaming', model: 'm' }] });
    const t2 = apply(t, delta(5, 'F'));
    expect(answer(t2)).toMatchObject({ text: 'F', state: 'streaming', joinedLate: true, model: 'm', nextSeq: 6 });
  });
});

describe('history', () => {
  it('replaces what was shown of another session', () => {
    const t = withHistory(sent(), 'sess-2', { messages: [{ id: 7, role: 'user', text: 'x' }] });
    expect(t).toEqual({ sessionKey: 'sess-2', entries: [{ id: 'm:7', role: 'user', text: 'x', state: 'complete' }] });
  });
  it('pages back in front, without doubles, and keeps the cursor', () => {
    const t = withHistory(emptyTranscript(S), S, { messages: [{ id: 5, role: 'user', text: 'e' }], before: 5 });
    expect(t.before).toBe(5);
    const older = withOlder(t, { messages: [{ id: 4, role: 'assistant', text: 'd' }, { id: 5, role: 'user', text: 'e' }] });
    expect(older.entries.map((e) => e.id)).toEqual(['m:4', 'm:5']);
    expect(older.before).toBeUndefined();
  });
});
