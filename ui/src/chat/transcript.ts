/**
 * What the chat view shows of one session: the stored history, the person's messages on their way,
 * and answers streaming in. Pure functions over plain data (each returns a new transcript), so the
 * order of events, duplicates and a second tab joining a stream are unit-tested without a browser.
 *
 * An answer is assembled from its run's `chat` events strictly in `seq` order: an event that comes
 * early waits for the ones before it, one already applied is ignored. The run's end (`final`,
 * `aborted`, `error`) settles it; the stored text the gateway sends with the end wins.
 */
import type { ChatEvent, HistoryPage, MessageState, WireMessage } from './wire.js';

export type EntryState = MessageState | 'sending';

export interface Entry {
  /** Stable across updates (the renderer keys on it). */
  readonly id: string;
  readonly role: WireMessage['role'];
  readonly text: string;
  readonly state: EntryState;
  readonly author?: string | null;
  readonly reason?: string;
  readonly model?: string;
  readonly usage?: { prompt: number; completion: number };
  readonly runId?: string;
  /** An answer still streaming: the next `seq` to apply, and events that came ahead of it. */
  readonly nextSeq?: number;
  readonly ahead?: readonly ChatEvent[];
  /** The page first saw this answer mid-stream: its beginning is not shown until the run ends. */
  readonly joinedLate?: boolean;
}

export interface Transcript {
  readonly sessionKey: string | undefined;
  readonly entries: readonly Entry[];
  /** The cursor for older messages; undefined when the start is shown. */
  readonly before?: number;
}

export const emptyTranscript = (sessionKey?: string): Transcript => ({ sessionKey, entries: [] });

const answerId = (runId: string) => `a:${runId}`;

/** A stored message as an entry. */
export function fromWire(m: WireMessage, index = 0): Entry {
  const id = m.role === 'assistant' && m.runId ? answerId(m.runId) : m.id !== undefined ? `m:${m.id}` : `h:${index}`;
  return {
    id,
    role: m.role,
    text: m.text,
    state: m.state ?? 'complete',
    ...(m.author != null && { author: m.author }),
    ...(m.reason != null && { reason: m.reason }),
    ...(m.model != null && { model: m.model }),
    ...(m.usage != null && { usage: m.usage }),
    ...(m.runId != null && { runId: m.runId }),
  };
}

const isLive = (e: Entry) => e.role === 'assistant' && e.state === 'streaming' && e.nextSeq !== undefined;

/**
 * The newest page of history, in place of what was shown. Answers this page is streaming stay as
 * they are (the stored copy lags behind the events), and messages still on their way stay at the end.
 */
export function withHistory(t: Transcript, sessionKey: string, page: HistoryPage): Transcript {
  const keep = t.sessionKey === sessionKey ? t.entries : [];
  const live = new Map(keep.filter(isLive).map((e) => [e.id, e]));
  const entries = page.messages.map((m, i) => {
    const e = fromWire(m, i);
    const mine = live.get(e.id);
    if (mine) live.delete(e.id);
    return mine ?? e;
  });
  const stored = new Set(entries.map((e) => e.id));
  const pending = keep.filter((e) => (e.state === 'sending' || live.has(e.id)) && !stored.has(e.id));
  return { sessionKey, entries: [...entries, ...pending], ...(page.before !== undefined && { before: page.before }) };
}

/** An older page (from `before`), put in front. */
export function withOlder(t: Transcript, page: HistoryPage): Transcript {
  const shown = new Set(t.entries.map((e) => e.id));
  const older = page.messages.map((m, i) => fromWire(m, -1 - i)).filter((e) => !shown.has(e.id));
  const { before: _, ...rest } = t;
  return { ...rest, entries: [...older, ...t.entries], ...(page.before !== undefined && { before: page.before }) };
}

/** The person's message, shown at once while `chat.send` is on its way. */
export function addSending(t: Transcript, localId: string, text: string, author?: string): Transcript {
  const entry: Entry = { id: `u:${localId}`, role: 'user', text, state: 'sending', ...(author !== undefined && { author }) };
  return { ...t, entries: [...t.entries, entry] };
}

/** A new answer, waiting for its first event. */
const newAnswer = (runId: string, nextSeq = 0, joinedLate = false): Entry => ({
  id: answerId(runId),
  role: 'assistant',
  text: '',
  state: 'streaming',
  runId,
  nextSeq,
  ahead: [],
  ...(joinedLate && { joinedLate }),
});

/**
 * `chat.send` answered with its run: the message is sent, and its answer follows it (events of
 * the run may have come before the reply; their answer is moved behind the message).
 */
export function sendAccepted(t: Transcript, localId: string, runId: string, sessionKey: string): Transcript {
  const userId = `u:${localId}`;
  const existing = t.entries.find((e) => e.id === answerId(runId));
  const entries: Entry[] = [];
  for (const e of t.entries) {
    if (e.id === answerId(runId)) continue;
    entries.push(e.id === userId ? { ...e, state: 'complete', runId } : e);
    if (e.id === userId) entries.push(existing ?? newAnswer(runId));
  }
  return { ...t, sessionKey, entries };
}

/** `chat.send` refused: the message stays, marked with the reason (the composer gets the text back). */
export function sendRefused(t: Transcript, localId: string, reason: string): Transcript {
  return { ...t, entries: t.entries.map((e) => (e.id === `u:${localId}` ? { ...e, state: 'error', reason } : e)) };
}

/** Removes a message that was never sent (its text went back to the composer). */
export function dropEntry(t: Transcript, id: string): Transcript {
  return { ...t, entries: t.entries.filter((e) => e.id !== id) };
}

/** One event applied to an answer that is at its turn. */
function step(e: Entry, ev: ChatEvent): Entry {
  const base = { ...e, nextSeq: ev.seq + 1, ...(ev.usage && { usage: ev.usage }) };
  const stored = ev.message;
  const settled = (state: MessageState): Entry => {
    const { ahead: _a, nextSeq: _n, joinedLate: _j, ...rest } = base;
    return {
      ...rest,
      state: stored?.state ?? state,
      text: stored ? stored.text : e.text,
      ...(stored?.model != null && { model: stored.model }),
      ...(stored?.usage != null && { usage: stored.usage }),
      ...((ev.reason ?? stored?.reason) != null && { reason: (ev.reason ?? stored?.reason)! }),
    };
  };
  switch (ev.state) {
    case 'delta':
      return { ...base, text: e.text + (ev.delta ?? '') };
    case 'final':
      return settled('complete');
    case 'aborted':
      return settled('aborted');
    case 'error':
      return settled('error');
  }
}

/** Applies `ev` and whatever was waiting behind it; ignores what was already applied or comes after the end. */
function applyToAnswer(e: Entry, ev: ChatEvent): Entry {
  if (e.nextSeq === undefined || e.state !== 'streaming') return e;
  if (ev.seq < e.nextSeq || e.ahead?.some((a) => a.seq === ev.seq)) return e;
  if (ev.seq > e.nextSeq) return { ...e, ahead: [...(e.ahead ?? []), ev] };
  let cur = step(e, ev);
  for (;;) {
    const next = cur.ahead?.find((a) => a.seq === cur.nextSeq);
    if (!next || cur.state !== 'streaming') return cur;
    cur = step({ ...cur, ahead: cur.ahead!.filter((a) => a !== next) }, next);
  }
}

export interface Applied {
  readonly transcript: Transcript;
  /**
   * True when the event started an answer this page did not send (another tab of the same person):
   * the view reloads the history to show the message it answers.
   */
  readonly newRun: boolean;
}

/** A `chat` event for the session in view (events of other sessions change nothing here). */
export function applyEvent(t: Transcript, ev: ChatEvent): Applied {
  if (ev.sessionKey !== t.sessionKey) return { transcript: t, newRun: false };
  const id = answerId(ev.runId);
  const at = t.entries.findIndex((e) => e.id === id);
  if (at < 0) {
    // Seen first mid-stream (an earlier event was missed before this page listened): show from here.
    const fresh = applyToAnswer(newAnswer(ev.runId, ev.seq, ev.seq > 0), ev);
    return { transcript: { ...t, entries: [...t.entries, fresh] }, newRun: true };
  }
  const before = t.entries[at]!;
  // Shown from the stored history while streaming (the page opened mid-answer): the stored text
  // lags behind the events and cannot be lined up with them, so the answer is shown from here.
  const tracked = before.state === 'streaming' && before.nextSeq === undefined ? { ...newAnswer(ev.runId, ev.seq, ev.seq > 0), ...pick(before) } : before;
  const after = applyToAnswer(tracked, ev);
  if (after === before) return { transcript: t, newRun: false };
  const entries = [...t.entries];
  entries[at] = after;
  return { transcript: { ...t, entries }, newRun: false };
}

/** What a stored answer keeps when the page starts following its stream. */
const pick = (e: Entry): Partial<Entry> => ({ ...(e.model !== undefined && { model: e.model }) });

/** The answer streaming now, if any (the Stop button aborts its run). */
export function streamingRun(t: Transcript): string | undefined {
  return t.entries.find((e) => e.role === 'assistant' && e.state === 'streaming' && e.runId !== undefined)?.runId;
}
