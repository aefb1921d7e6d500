import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeTempDir, removeTempDir } from '../../test/support/tmp.js';
import fc from 'fast-check';
import { ChatStore, MAX_HISTORY_PAGE, MAX_SESSIONS_PAGE } from './chat-sessions.js';
import type { BeginRunResult, ChatSession, SessionCursor, SessionPage } from './chat-types.js';
import { openStore } from './open.js';

const root = makeTempDir('store-chat');
afterAll(() => removeTempDir(root));

let n = 0;
let clock = 0;
let store: ChatStore;
const count = (table: string): number => (store['db'].prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

beforeEach(() => {
  store?.close();
  clock = 1_000;
  const { db, file } = openStore(join(root, `chat${++n}.db`));
  store = new ChatStore(db, file, { now: () => ++clock });
});
afterAll(() => store?.close());

function begun(r: BeginRunResult): Extract<BeginRunResult, { created: true }> {
  if (!r.ok || !r.created) throw new Error(`expected a new run, got ${JSON.stringify(r)}`);
  return r;
}

/** Sessions put straight into the table: exact keys and times, ties included. */
function seed(rows: readonly { key: string; owner: string; updatedAt: number }[]): void {
  const db = store['db'];
  db.prepare('DELETE FROM sessions').run();
  const ins = db.prepare(`INSERT INTO sessions (key, owner, title, created_at, updated_at) VALUES (?, ?, '', 0, ?)`);
  for (const r of rows) ins.run(r.key, r.owner, r.updatedAt);
}

/** Every page from the first, following `next`; stops (and fails) after far more pages than there can be. */
function allPages(list: (before?: SessionCursor) => SessionPage): SessionPage[] {
  const pages: SessionPage[] = [];
  let before: SessionCursor | undefined;
  do {
    const page = list(before);
    pages.push(page);
    before = page.next;
  } while (before && pages.length <= 1000);
  return pages;
}

/** The order sessions.list promises: most recently active first, ties by the greater key first. */
const expectedOrder = <T extends { key: string; updatedAt: number }>(rows: readonly T[]): string[] =>
  [...rows].sort((a, b) => b.updatedAt - a.updatedAt || (a.key < b.key ? 1 : a.key > b.key ? -1 : 0)).map((r) => r.key);

describe('sessions, one page at a time', () => {
  const row = fc.record({ owner: fc.constantFrom('nick', 'ana', 'bo'), updatedAt: fc.integer({ min: 0, max: 4 }) });
  const rows = fc
    .uniqueArray(fc.stringMatching(/^[A-Za-z0-9_-]{1,6}$/), { maxLength: 40 })
    .chain((keys) => fc.tuple(...keys.map((key) => row.map((r) => ({ ...r, key })))));

  it('gives every session exactly once, in order, each page at most `limit`, `next` only when more follow (own and all, ties included)', () => {
    fc.assert(
      fc.property(rows, fc.integer({ min: 1, max: 7 }), (seeded, limit) => {
        seed(seeded);
        const lists: [readonly { key: string; updatedAt: number }[], (before?: SessionCursor) => SessionPage][] = [
          [seeded, (b) => store.listAllSessions(limit, b)],
          ...['nick', 'ana', 'bo'].map((o): [typeof seeded, (before?: SessionCursor) => SessionPage] => [seeded.filter((r) => r.owner === o), (b) => store.listSessions(o, limit, b)]),
        ];
        for (const [mine, list] of lists) {
          const pages = allPages(list);
          expect(pages.flatMap((p) => p.sessions.map((s) => s.key))).toEqual(expectedOrder(mine));
          pages.forEach((p, i) => {
            const last = i === pages.length - 1;
            expect(p.sessions.length).toBe(last ? mine.length - limit * i : limit);
            expect(p.next === undefined).toBe(last);
          });
        }
      }),
      { numRuns: 150 },
    );
  });

  it('pages the owner\'s sessions only, whatever session a cursor names (someone else\'s included)', () => {
    seed([
      { key: 'n1', owner: 'nick', updatedAt: 10 },
      { key: 'a1', owner: 'ana', updatedAt: 9 },
      { key: 'n2', owner: 'nick', updatedAt: 8 },
      { key: 'a2', owner: 'ana', updatedAt: 7 },
      { key: 'n3', owner: 'nick', updatedAt: 6 },
    ]);
    // A cursor made from ana's session a1 (as an admin's everyone list would give) used by nick.
    const anas = store.listAllSessions(2).next!;
    expect(anas).toEqual({ updatedAt: 9, key: 'a1' });
    const page = store.listSessions('nick', 10, anas);
    expect(page).toEqual({ sessions: [expect.objectContaining({ key: 'n2', owner: 'nick' }), expect.objectContaining({ key: 'n3', owner: 'nick' })] });
    // A cursor above everything, or below everything: still only nick's.
    expect(store.listSessions('nick', 10, { updatedAt: 99, key: 'zz' }).sessions.map((s) => s.key)).toEqual(['n1', 'n2', 'n3']);
    expect(store.listSessions('nick', 10, { updatedAt: 0, key: '' }).sessions).toEqual([]);
  });

  it('clamps the page size to 1..MAX_SESSIONS_PAGE', () => {
    seed(Array.from({ length: MAX_SESSIONS_PAGE + 5 }, (_, i) => ({ key: `k${i}`, owner: 'nick', updatedAt: i })));
    expect(store.listSessions('nick', 0).sessions).toHaveLength(1);
    const big = store.listSessions('nick', 10_000);
    expect(big.sessions).toHaveLength(MAX_SESSIONS_PAGE);
    expect(big.next).toEqual({ updatedAt: 5, key: 'k5' });
  });

  it.each([
    ['own', 'sessionsOf', ['nick', 5, 'k', 11], 'sessions_by_owner_activity \\(owner=\\? AND \\(updated_at,key\\)<\\(\\?,\\?\\)\\)'],
    ['all', 'allSessions', [5, 'k', 11], 'sessions_by_activity \\(\\(updated_at,key\\)<\\(\\?,\\?\\)\\)'],
  ])('reads the %s list through its index, without a scan or a sort', (_, query, args, index) => {
    const plan = store['db'].prepare(`EXPLAIN QUERY PLAN ${store['q'][query as string]!.source}`).all(...(args as unknown[])) as { detail: string }[];
    const details = plan.map((p) => p.detail).join('\n');
    expect(details).toMatch(new RegExp(`SEARCH sessions USING INDEX ${index as string}`));
    expect(details).not.toMatch(/SCAN|TEMP B-TREE/);
  });
});

describe('sessions', () => {
  it('creates sessions with distinct, unguessable URL-safe keys', () => {
    const keys = Array.from({ length: 50 }, () => store.createSession('nick').key);
    expect(new Set(keys).size).toBe(50);
    for (const k of keys) expect(k).toMatch(/^[A-Za-z0-9_-]{24}$/);
  });

  it('lists only the owner\'s sessions, most recently active first; admins list all', () => {
    const a = store.createSession('nick', 'first');
    const b = store.createSession('nick', 'second');
    const other = store.createSession('ana', 'hers');
    expect(store.listSessions('nick').sessions.map((s) => s.title)).toEqual(['second', 'first']);
    begun(store.beginRun('nick', { sessionKey: a.key, idempotencyKey: 'i1', text: 'hi' }));
    expect(store.listSessions('nick')).toEqual({ sessions: [expect.objectContaining({ key: a.key }), expect.objectContaining({ key: b.key })] });
    expect(store.listSessions('ana').sessions.map((s) => s.key)).toEqual([other.key]);
    expect(store.listAllSessions().sessions.map((s) => s.key)).toEqual([a.key, other.key, b.key]);
  });

  it('answers someone else\'s key exactly like a missing one', () => {
    const hers = store.createSession('ana', 'hers');
    const missing = store.getSession('nick', 'no-such-key-at-all-00000');
    const notMine = store.getSession('nick', hers.key);
    expect(notMine).toBeUndefined();
    expect(notMine).toStrictEqual(missing);
    expect(store.getSession('ana', hers.key)).toEqual(hers);
    expect(store.getSessionForAdmin(hers.key)).toEqual(hers);
  });

  it('renames only the owner\'s session', () => {
    const s = store.createSession('ana', 'old');
    expect(store.renameSession('nick', s.key, 'stolen')).toBeUndefined();
    expect(store.getSession('ana', s.key)?.title).toBe('old');
    const renamed = store.renameSession('ana', s.key, 'new');
    expect(renamed?.title).toBe('new');
    expect(renamed!.updatedAt).toBeGreaterThan(s.updatedAt);
  });

  it('deletes only the owner\'s session, with its messages and runs', () => {
    const s = store.createSession('ana');
    const keep = store.createSession('ana');
    const r = begun(store.beginRun('ana', { sessionKey: s.key, idempotencyKey: 'i1', text: 'hi' }));
    store.startAnswer(r.run.runId, 'local/llama3.2');
    begun(store.beginRun('ana', { sessionKey: keep.key, idempotencyKey: 'i2', text: 'kept' }));
    expect(store.deleteSession('nick', s.key)).toBe(false);
    expect(count('messages')).toBe(3);
    expect(store.deleteSession('ana', s.key)).toBe(true);
    expect(store.getSession('ana', s.key)).toBeUndefined();
    expect([count('messages'), count('runs'), count('sessions')]).toEqual([1, 1, 1]);
    expect(store.deleteSession('ana', s.key)).toBe(false);
  });
});

describe('runs', () => {
  it('stores the person\'s message with its author and run, creating a session when no key is given', () => {
    const r = begun(store.beginRun('nick', { idempotencyKey: 'i1', text: 'Where to in May?', title: 'Trip' }));
    const s = store.getSession('nick', r.run.sessionKey)!;
    expect(s.title).toBe('Trip');
    expect(r.userMessage).toMatchObject({ role: 'user', author: 'nick', text: 'Where to in May?', state: 'complete', runId: r.run.runId, usage: null });
    expect(store.history(s).messages).toEqual([r.userMessage]);
    expect(store.getRun('nick', r.run.runId)).toEqual(r.run);
  });

  it('stores the answer\'s streaming row in the same transaction when the model is given', () => {
    const r = begun(store.beginRun('nick', { idempotencyKey: 'i1', text: 'hi', answerModel: 'local/llama3.2' }));
    expect(r.answer).toMatchObject({ role: 'assistant', author: null, text: '', state: 'streaming', model: 'local/llama3.2', runId: r.run.runId });
    const s = store.getSession('nick', r.run.sessionKey)!;
    expect(store.history(s).messages).toEqual([r.userMessage, r.answer]);
    expect(store.setAnswerText(r.answer!.id, 'Hel')).toBe(true);
    // Both or neither: a failing answer insert leaves no message and no run behind.
    store['db'].exec(`CREATE TRIGGER no_answers BEFORE INSERT ON messages WHEN NEW.role = 'assistant' BEGIN SELECT RAISE(ABORT, 'refused'); END`);
    expect(() => store.beginRun('nick', { sessionKey: s.key, idempotencyKey: 'i2', text: 'again', answerModel: 'm' })).toThrow();
    expect([count('runs'), count('messages')]).toEqual([1, 2]);
  });

  it('starts one run for an idempotency key sent twice by the same owner', () => {
    const first = begun(store.beginRun('nick', { idempotencyKey: 'same', text: 'hello' }));
    const again = store.beginRun('nick', { sessionKey: first.run.sessionKey, idempotencyKey: 'same', text: 'hello' });
    expect(again).toEqual({ ok: true, created: false, run: first.run });
    expect([count('runs'), count('messages'), count('sessions')]).toEqual([1, 1, 1]);
    // Another person's identical key is theirs alone.
    const hers = begun(store.beginRun('ana', { idempotencyKey: 'same', text: 'hello' }));
    expect(hers.run.runId).not.toBe(first.run.runId);
  });

  it('refuses to send into someone else\'s session and stores nothing', () => {
    const hers = store.createSession('ana');
    expect(store.beginRun('nick', { sessionKey: hers.key, idempotencyKey: 'i1', text: 'psst' })).toEqual({ ok: false, reason: 'session_not_found' });
    expect([count('runs'), count('messages')]).toEqual([0, 0]);
    expect(store.getRun('nick', 'anything')).toBeUndefined();
  });

  it('hides a run from everyone but its owner', () => {
    const r = begun(store.beginRun('ana', { idempotencyKey: 'i1', text: 'hi' }));
    expect(store.getRun('nick', r.run.runId)).toBeUndefined();
  });
});

describe('answers', () => {
  let s: ChatSession;
  let runId: string;
  beforeEach(() => {
    const r = begun(store.beginRun('nick', { idempotencyKey: `i${n}`, text: 'hi' }));
    s = store.getSession('nick', r.run.sessionKey)!;
    runId = r.run.runId;
  });

  it('streams, then completes with usage', () => {
    const a = store.startAnswer(runId, 'local/llama3.2')!;
    expect(a).toMatchObject({ role: 'assistant', author: null, text: '', state: 'streaming', model: 'local/llama3.2', runId });
    expect(store.setAnswerText(a.id, 'Hel')).toBe(true);
    expect(store.history(s).messages[1]).toMatchObject({ text: 'Hel', state: 'streaming' });
    const before = store.getSession('nick', s.key)!.updatedAt;
    expect(store.finishAnswer(a.id, { state: 'complete', text: 'Hello!', usage: { prompt: 12, completion: 3 } })).toBe(true);
    expect(store.history(s).messages[1]).toMatchObject({ text: 'Hello!', state: 'complete', reason: null, usage: { prompt: 12, completion: 3 } });
    expect(store.getSession('nick', s.key)!.updatedAt).toBeGreaterThan(before);
    // Finished is final: late writes are refused.
    expect(store.setAnswerText(a.id, 'late')).toBe(false);
    expect(store.finishAnswer(a.id, { state: 'aborted', text: 'x', reason: 'aborted' })).toBe(false);
    expect(store.history(s).messages[1]!.text).toBe('Hello!');
  });

  it('keeps the partial text of an answer that ended in an error, with its reason', () => {
    const a = store.startAnswer(runId, 'local/llama3.2')!;
    store.finishAnswer(a.id, { state: 'error', text: 'Lisbon, for', reason: 'provider_error' });
    expect(store.history(s).messages[1]).toMatchObject({ text: 'Lisbon, for', state: 'error', reason: 'provider_error', usage: null });
  });

  it('refuses writes to an answer whose session was deleted, and to a run that is gone', () => {
    const a = store.startAnswer(runId, 'm')!;
    store.deleteSession('nick', s.key);
    expect(store.setAnswerText(a.id, 'x')).toBe(false);
    expect(store.finishAnswer(a.id, { state: 'complete', text: 'x' })).toBe(false);
    expect(store.startAnswer(runId, 'm')).toBeUndefined();
  });
});

describe('history', () => {
  function fill(session: ChatSession, count: number): void {
    store['db'].transaction(() => {
      for (let i = 0; i < count; i++) begun(store.beginRun('nick', { sessionKey: session.key, idempotencyKey: `h${i}`, text: `m${i}` }));
    })();
  }

  it('pages back with a stable cursor, oldest first within a page, unaffected by new messages', () => {
    const s = store.createSession('nick');
    fill(s, 7);
    const p1 = store.history(s, 3);
    expect(p1.messages.map((m) => m.text)).toEqual(['m4', 'm5', 'm6']);
    // New messages arrive while the person scrolls back: older pages do not shift.
    begun(store.beginRun('nick', { sessionKey: s.key, idempotencyKey: 'late', text: 'late' }));
    const p2 = store.history(s, 3, p1.before);
    expect(p2.messages.map((m) => m.text)).toEqual(['m1', 'm2', 'm3']);
    const p3 = store.history(s, 3, p2.before);
    expect(p3).toEqual({ messages: [expect.objectContaining({ text: 'm0' })] });
    expect(store.history(s, 3).messages.map((m) => m.text)).toEqual(['m5', 'm6', 'late']);
  });

  it('omits the cursor when a full page reaches the start, and clamps the limit', () => {
    const s = store.createSession('nick');
    fill(s, 3);
    expect(store.history(s, 3).before).toBeUndefined();
    expect(store.history(s, 0).messages).toHaveLength(1);
    fill(store.createSession('nick'), 0);
    expect(store.history(s, MAX_HISTORY_PAGE * 10).messages).toHaveLength(3);
  });

  it('reads a page through the session index, without scanning the table', () => {
    const plan = store['db'].prepare(`EXPLAIN QUERY PLAN ${store['q'].history!.source}`).all(1, 100, 50) as { detail: string }[];
    const details = plan.map((p) => p.detail).join('\n');
    expect(details).toMatch(/SEARCH messages USING (COVERING )?INDEX messages_by_session \(session_id=\? AND (id|rowid)<\?\)/);
    expect(details).not.toMatch(/SCAN|TEMP B-TREE/);
  });
});

it('prepares its statements once, not per call', () => {
  const spy = vi.spyOn(store['db'], 'prepare');
  const r = begun(store.beginRun('nick', { idempotencyKey: 'p', text: 'x' }));
  const s = store.getSession('nick', r.run.sessionKey)!;
  const a = store.startAnswer(r.run.runId, 'm')!;
  store.setAnswerText(a.id, 'y');
  store.finishAnswer(a.id, { state: 'complete', text: 'y' });
  store.history(s);
  store.listSessions('nick');
  store.listAllSessions(5, { updatedAt: 1, key: 'k' });
  store.renameSession('nick', s.key, 't');
  expect(spy).not.toHaveBeenCalled();
});
