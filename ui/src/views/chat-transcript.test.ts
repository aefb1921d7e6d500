import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChatEvent, HistoryPage } from '../chat/wire.js';
import { ChatTranscript } from './chat-transcript.js';

type Call = { method: string; params: unknown; answer(a: { ok: true; payload: unknown } | { ok: false }): void };

/** A controller over a fake element: the requests it sends wait until the test answers them. */
function setup() {
  const calls: Call[] = [];
  const host = { requestUpdate: vi.fn() };
  const chat = new ChatTranscript(host, {
    request: <T>(method: string, params?: unknown) =>
      new Promise<{ ok: true; payload: T } | { ok: false }>((resolve) => calls.push({ method, params, answer: (a) => resolve(a as { ok: true; payload: T } | { ok: false }) })),
  });
  return { chat, calls, host };
}

const page = (...texts: string[]): HistoryPage => ({ messages: texts.map((text, i) => ({ id: i + 1, role: 'user', text })) });
const texts = (chat: ChatTranscript) => chat.transcript.entries.map((e) => e.text);
const delta = (seq: number, text: string, runId = 'r1', sessionKey = 's1'): ChatEvent => ({ runId, sessionKey, seq, state: 'delta', delta: text });

describe('the session in view', () => {
  it('shows a session at once and loads its newest page of history', async () => {
    const { chat, calls, host } = setup();
    const shown = chat.show('s1');
    expect(chat.current).toBe('s1');
    expect(chat.transcript).toEqual({ sessionKey: 's1', entries: [] });
    expect(host.requestUpdate).toHaveBeenCalled();
    expect(calls).toMatchObject([{ method: 'chat.history', params: { sessionKey: 's1', limit: 100 } }]);
    calls[0]!.answer({ ok: true, payload: { ...page('one', 'two'), before: 7 } });
    await shown;
    expect(texts(chat)).toEqual(['one', 'two']);
    expect(chat.transcript.before).toBe(7);
  });
  it('drops a history page that comes after another session was put in view', async () => {
    const { chat, calls } = setup();
    const first = chat.show('s1');
    const second = chat.show('s2');
    calls[1]!.answer({ ok: true, payload: page('of s2') });
    await second;
    calls[0]!.answer({ ok: true, payload: page('of s1') });
    await first;
    expect(chat.transcript.sessionKey).toBe('s2');
    expect(texts(chat)).toEqual(['of s2']);
  });
  it('shows nothing and asks for nothing when no session is in view', async () => {
    const { chat, calls } = setup();
    await chat.show(undefined);
    expect(chat.current).toBeUndefined();
    expect(chat.transcript.entries).toEqual([]);
    expect(calls).toEqual([]);
  });
  it('loads the older page in front, from the cursor, and only when there is one', async () => {
    const { chat, calls } = setup();
    const shown = chat.show('s1');
    calls[0]!.answer({ ok: true, payload: { ...page('new'), before: 5 } });
    await shown;
    const older = chat.loadOlder();
    expect(calls[1]).toMatchObject({ method: 'chat.history', params: { sessionKey: 's1', limit: 100, before: 5 } });
    calls[1]!.answer({ ok: true, payload: { messages: [{ id: 10, role: 'user', text: 'old' }] } });
    await older;
    expect(texts(chat)).toEqual(['old', 'new']);
    await chat.loadOlder();
    expect(calls).toHaveLength(2);
  });
});

describe('chat events', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  async function inView() {
    const s = setup();
    const shown = s.chat.show('s1');
    s.calls[0]!.answer({ ok: true, payload: page() });
    await shown;
    return s;
  }

  it('reloads the history shortly after an answer this page did not send (another tab sent its message)', async () => {
    const { chat, calls } = await inView();
    chat.apply(delta(0, 'A'));
    chat.apply(delta(1, 'B'));
    expect(chat.running).toBe('r1');
    expect(texts(chat)).toEqual(['AB']);
    expect(calls).toHaveLength(1);
    vi.advanceTimersByTime(50);
    expect(calls).toHaveLength(2);
    expect(calls[1]).toMatchObject({ method: 'chat.history', params: { sessionKey: 's1', limit: 100 } });
  });
  it('does not reload for an answer while a send of this page waits for its reply', async () => {
    const { chat, calls } = await inView();
    const sending = chat.send('s1', 'hi', 'alice');
    chat.apply(delta(0, 'A'));
    vi.advanceTimersByTime(100);
    expect(calls.map((c) => c.method)).toEqual(['chat.history', 'chat.send']);
    calls[1]!.answer({ ok: true, payload: { runId: 'r1', sessionKey: 's1' } });
    await sending;
  });
  it('leaves no reload pending once disposed', async () => {
    const { chat, calls } = await inView();
    chat.apply(delta(0, 'A'));
    chat.dispose();
    vi.advanceTimersByTime(100);
    expect(calls).toHaveLength(1);
  });
  it('changes nothing, and re-renders nothing, for an event of another session', async () => {
    const { chat, host } = await inView();
    const before = chat.transcript;
    host.requestUpdate.mockClear();
    chat.apply(delta(0, 'x', 'r9', 'other'));
    expect(chat.transcript).toBe(before);
    expect(host.requestUpdate).not.toHaveBeenCalled();
  });
});

describe('sending and stopping', () => {
  it('shows the message at once, then its answer after the reply', async () => {
    const { chat, calls } = setup();
    const sending = chat.send('s1', 'hello', 'alice');
    expect(chat.transcript.entries).toMatchObject([{ role: 'user', text: 'hello', state: 'sending', author: 'alice' }]);
    const call = calls[0]!;
    expect(call).toMatchObject({ method: 'chat.send', params: { sessionKey: 's1', message: 'hello' } });
    expect((call.params as { idempotencyKey: string }).idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    call.answer({ ok: true, payload: { runId: 'r1', sessionKey: 's1' } });
    expect(await sending).toEqual({ sessionKey: 's1' });
    expect(chat.transcript.entries.map((e) => [e.role, e.state])).toEqual([['user', 'complete'], ['assistant', 'streaming']]);
    expect(chat.running).toBe('r1');
  });
  it('takes a refused message out of the transcript and answers undefined', async () => {
    const { chat, calls } = setup();
    const sending = chat.send('s1', 'hello', 'alice');
    calls[0]!.answer({ ok: false });
    expect(await sending).toBeUndefined();
    expect(chat.transcript.entries).toEqual([]);
  });
  it('aborts the streaming run, and asks nothing when none streams', async () => {
    const { chat, calls } = setup();
    await chat.stop();
    expect(calls).toEqual([]);
    const sending = chat.send('s1', 'hello', 'alice');
    calls[0]!.answer({ ok: true, payload: { runId: 'r1', sessionKey: 's1' } });
    await sending;
    void chat.stop();
    expect(calls[1]).toMatchObject({ method: 'chat.abort', params: { runId: 'r1' } });
  });
});
