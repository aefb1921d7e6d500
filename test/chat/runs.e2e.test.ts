/**
 * Chat over the WebSocket against the loopback OpenAI-compatible stub, two people in trusted-proxy
 * mode (and an admin): sessions are per person (another's key answers like a missing one), a
 * run's events reach only its owner's connections (all of them), seq has no gaps, the same
 * idempotency key starts one run, one run per session, the per-person limits, every provider
 * failure ends the run with its reason while the person's message and the partial answer are kept,
 * and a run stops on chat.abort, on its session's deletion and when a reload takes operator.write.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { gate, startOpenAIStub, type OpenAIStub, type StubChunk, type StubScript } from '../support/openai-stub.js';
import { startTestGateway, type TestGateway } from '../support/gateway-inproc.js';
import { sleep, waitFor, within } from '../support/wait.js';
import { wsConnect, type WsClient } from '../support/ws-client.js';
import { freePort } from '../support/processes.js';

const ADMIN = 'root@example.com';
const gatewaySection = (extraRules: unknown[] = []) => ({
  trustedProxies: ['127.0.0.1'],
  auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user' } },
  authorization: { rules: [{ users: [ADMIN], scopes: ['operator.admin'] }, ...extraRules] },
});

let stub: OpenAIStub;
let t: TestGateway;
const open: WsClient[] = [];
let counter = 0;

// A generous timeout (a loaded machine can take seconds for a first request); the timeout cases set 1 s.
const sections = (chat: Record<string, unknown> = {}, requestTimeoutSec = 15) => ({
  models: { providers: { stub: { baseUrl: stub.baseUrl, models: ['m1'] } }, default: 'stub/m1', requestTimeoutSec, systemPrompt: 'You are Mayros.' },
  chat: { maxConcurrentRuns: 3, sendsPerMinute: 1000, ...chat },
});

beforeAll(async () => {
  stub = await startOpenAIStub();
  t = await startTestGateway(gatewaySection(), { sections: sections() });
});
afterAll(async () => {
  for (const c of open) c.close();
  await t?.stop();
  await stub?.close();
});
beforeEach(() => {
  stub.requests.length = 0;
});

async function as(user: string): Promise<WsClient> {
  const { client, reply } = await wsConnect(t.wsUrl, { headers: { 'x-forwarded-user': user } });
  expect(reply.ok, JSON.stringify(reply)).toBe(true);
  open.push(client);
  return client;
}

const key = () => `idem-${++counter}`;

/** The events of one run on `c`, up to and including its last one. */
async function runEvents(c: WsClient, runId: string, timeoutMs = 5000): Promise<any[]> {
  const out: any[] = [];
  for (;;) {
    const f = await within(c.next((e) => e.event === 'chat' && e.payload.runId === runId), timeoutMs, `chat events of ${runId}`);
    out.push(f.payload);
    if (f.payload.state !== 'delta') return out;
  }
}

async function send(c: WsClient, message: string, sessionKey?: string, idempotencyKey = key()) {
  return c.request('chat.send', { message, idempotencyKey, ...(sessionKey && { sessionKey }) });
}

/** Sends and waits for the end of the run. */
async function converse(c: WsClient, message: string, sessionKey?: string) {
  const r = await send(c, message, sessionKey);
  expect(r.ok, JSON.stringify(r)).toBe(true);
  const events = await runEvents(c, r.payload.runId);
  return { ...r.payload, events, last: events[events.length - 1] };
}

const stream = (chunks: (string | StubChunk)[], extra: Partial<Extract<StubScript, { kind: 'stream' }>> = {}): StubScript => ({ kind: 'stream', chunks, ...extra });

/** The next `chat` event of a run. */
const chatEvent = (c: WsClient, runId: string, what = 'the next chat event') => within(c.next((e) => e.event === 'chat' && e.payload.runId === runId), 5000, what);

describe('a conversation', () => {
  it('answers at once with runId and a new sessionKey, then streams deltas with seq 0.. and a final event; the model got the system prompt and history', async () => {
    const alice = await as('alice@example.com');
    stub.script(stream(['Lis', 'bon'], { usage: { prompt: 12, completion: 2 } }));
    const first = await converse(alice, 'Where is the meeting?');
    expect(first.last.state, JSON.stringify(first.last)).toBe('final');
    expect(first.sessionKey).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(first.events.map((e: any) => e.seq)).toEqual(first.events.map((_e: any, i: number) => i));
    expect(first.events.slice(0, -1).every((e: any) => e.state === 'delta')).toBe(true);
    expect(first.events.slice(0, -1).map((e: any) => e.delta).join('')).toBe('Lisbon');
    expect(first.last).toMatchObject({ state: 'final', usage: { prompt: 12, completion: 2 }, message: { role: 'assistant', text: 'Lisbon', state: 'complete', model: 'stub/m1', runId: first.runId } });
    expect(stub.requests[0]!.messages).toEqual([{ role: 'system', content: 'You are Mayros.' }, { role: 'user', content: 'Where is the meeting?' }]);

    stub.script(stream(['In May.']));
    const second = await converse(alice, 'When?', first.sessionKey);
    expect(second.sessionKey).toBe(first.sessionKey);
    expect(second.events.map((e: any) => [e.seq, e.state])).toEqual([[0, 'delta'], [1, 'final']]);
    expect(stub.requests[1]!.model).toBe('m1');
    expect(stub.requests[1]!.messages.map((m) => m.content)).toEqual(['You are Mayros.', 'Where is the meeting?', 'Lisbon', 'When?']);

    const h = await alice.request('chat.history', { sessionKey: first.sessionKey });
    expect(h.payload.messages.map((m: any) => [m.role, m.text, m.state])).toEqual([
      ['user', 'Where is the meeting?', 'complete'],
      ['assistant', 'Lisbon', 'complete'],
      ['user', 'When?', 'complete'],
      ['assistant', 'In May.', 'complete'],
    ]);
    expect(h.payload.messages[0].author).toBe('trusted-proxy:alice@example.com');
    const page = await alice.request('chat.history', { sessionKey: first.sessionKey, limit: 3 });
    expect(page.payload.messages).toHaveLength(3);
    const older = await alice.request('chat.history', { sessionKey: first.sessionKey, limit: 3, before: page.payload.before });
    expect(older.payload.messages.map((m: any) => m.text)).toEqual(['Where is the meeting?']);
    expect(older.payload.before).toBeUndefined();
  });

  it('pieces that arrive apart are relayed one event each; a burst arriving together goes out in fewer events, in order', async () => {
    const alice = await as('alice@example.com');
    // Each piece leaves the model only once the one before it has reached the client: apart.
    const b = gate();
    const c = gate();
    stub.script(stream(['a', { text: 'b', after: b.opened }, { text: 'c', after: c.opened }]));
    const r = await send(alice, 'slowly');
    const apart: any[] = [];
    for (const next of [b, c, undefined]) {
      apart.push((await chatEvent(alice, r.payload.runId, 'a piece')).payload);
      next?.open();
    }
    apart.push(...(await runEvents(alice, r.payload.runId)));
    expect(apart.map((e: any) => [e.seq, e.state, e.delta])).toEqual([[0, 'delta', 'a'], [1, 'delta', 'b'], [2, 'delta', 'c'], [3, 'final', undefined]]);
    const words = Array.from({ length: 300 }, (_, i) => `w${i} `);
    stub.script(stream(words));
    const burst = await converse(alice, 'all at once');
    const deltas = burst.events.slice(0, -1);
    expect(deltas.map((e: any) => e.delta).join('')).toBe(words.join(''));
    expect(deltas.length).toBeLessThan(words.length);
    expect(burst.events.map((e: any) => e.seq)).toEqual(burst.events.map((_e: any, i: number) => i));
    expect(burst.last.message.text).toBe(words.join(''));
  });

  it('the same idempotency key sent twice starts one run', async () => {
    const alice = await as('alice@example.com');
    stub.script(stream(['once']));
    const idem = key();
    const a = await send(alice, 'hello', undefined, idem);
    const b = await send(alice, 'hello', undefined, idem);
    expect(b.payload).toEqual(a.payload);
    await runEvents(alice, a.payload.runId);
    const again = await send(alice, 'hello', undefined, idem);
    expect(again.payload).toEqual(a.payload);
    await sleep(100);
    expect(stub.requests).toHaveLength(1);
    const h = await alice.request('chat.history', { sessionKey: a.payload.sessionKey });
    expect(h.payload.messages.filter((m: any) => m.role === 'user')).toHaveLength(1);
  });
});

describe('asking the model before the message is stored', () => {
  it('the same idempotency key sent twice at once, before the first is stored, asks the model once', async () => {
    const alice = await as('alice@example.com');
    stub.script(stream(['once']));
    const idem = key();
    // Both frames leave together and are read in one turn, while the first send is still being stored.
    const [a, b] = await Promise.all([send(alice, 'twice', undefined, idem), send(alice, 'twice', undefined, idem)]);
    expect(a.ok, JSON.stringify(a)).toBe(true);
    expect(b.payload).toEqual(a.payload);
    await runEvents(alice, a.payload.runId);
    await sleep(100);
    expect(stub.requests).toHaveLength(1);
  });

  it('a store failure after the model was asked: the send is refused with its code, the request called off, nothing kept', async () => {
    const olga = await as('olga@example.com');
    const sessionKey: string = (await olga.request('sessions.create', { title: 'kept empty' })).payload.key;
    // Not queued: the request may be called off before it ever reaches the stub (on Node 22 and
    // later, undici sends it a turn later), and a queued script would be left for the next test.
    stub.fallback = { kind: 'hang' };
    const db = t.gw.ctx.database;
    if (db.state !== 'open') throw new Error('the test gateway has no database');
    db.db.exec(`CREATE TRIGGER refuse_olga BEFORE INSERT ON messages WHEN NEW.author LIKE '%:olga@example.com' BEGIN SELECT RAISE(ABORT, 'disk trouble'); END`);
    try {
      const r = await send(olga, 'lost?', sessionKey);
      expect(r.error).toMatchObject({ reason: 'store_io_error' });
      expect(t.gw.ctx.chat.running).toBe(0);
      expect(t.gw.ctx.chat.activeRunIn(sessionKey)).toBeUndefined();
      // Whether or not the request had reached the model server, the gateway hung up on it.
      await sleep(200);
      for (const req of stub.requests) {
        await within(req.closed, 3000, 'the model request closed');
        expect(req.clientClosed).toBe(true);
      }
    } finally {
      db.db.exec('DROP TRIGGER refuse_olga');
      stub.fallback = undefined;
    }
    expect((await olga.request('chat.history', { sessionKey: sessionKey })).payload.messages).toEqual([]);
    // The session is free again.
    stub.script(stream(['ok']));
    const again = await send(olga, 'now?', sessionKey);
    expect((await runEvents(olga, again.payload.runId)).pop()).toMatchObject({ state: 'final' });
  });
});

describe('isolation', () => {
  it("another person's key answers exactly like a missing one, for every method", async () => {
    const alice = await as('alice@example.com');
    const bob = await as('bob@example.com');
    stub.script(stream(['mine']));
    const { sessionKey } = await converse(alice, 'secret plans');
    const missing = 'A'.repeat(24);
    for (const k of [sessionKey, missing]) {
      const answers = [
        await bob.request('chat.history', { sessionKey: k }),
        await send(bob, 'let me in', k),
        await bob.request('sessions.rename', { sessionKey: k, title: 'mine now' }),
        await bob.request('sessions.delete', { sessionKey: k }),
      ];
      for (const a of answers) expect(a.error).toEqual({ code: 'NOT_FOUND', reason: 'session_not_found', message: expect.any(String) });
    }
    const bobs = await bob.request('sessions.list', {});
    expect(bobs.payload.sessions.map((s: any) => s.key)).not.toContain(sessionKey);
    const alices = await alice.request('sessions.list');
    expect(alices.payload.sessions.map((s: any) => s.key)).toContain(sessionKey);
    expect(alices.payload.sessions.every((s: any) => s.owner === 'trusted-proxy:alice@example.com')).toBe(true);
    expect(await bob.request('sessions.list', { all: true })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', reason: 'scope_missing' } });
  });

  it("events go to every connection of the owner and to nobody else's", async () => {
    const tab1 = await as('carol@example.com');
    const tab2 = await as('carol@example.com');
    const dave = await as('dave@example.com');
    const admin = await as(ADMIN);
    stub.script(stream(['a', 'b', 'c'], { chunkDelayMs: 5 }));
    const r = await send(tab1, 'hi');
    const [one, two] = await Promise.all([runEvents(tab1, r.payload.runId), runEvents(tab2, r.payload.runId)]);
    expect(two).toEqual(one);
    expect(one.map((e) => e.seq)).toEqual([0, 1, 2, 3]);
    await sleep(50);
    expect(dave.events.filter((e) => e.event === 'chat')).toEqual([]);
    expect(admin.events.filter((e) => e.event === 'chat')).toEqual([]);
  });

  it('an admin lists and reads everyone, and never sends into, renames or deletes their sessions', async () => {
    const erin = await as('erin@example.com');
    const admin = await as(ADMIN);
    stub.script(stream(['ok']));
    const { sessionKey } = await converse(erin, "erin's question");
    const all = await admin.request('sessions.list', { all: true });
    expect(all.payload.sessions.find((s: any) => s.key === sessionKey)).toMatchObject({ owner: 'trusted-proxy:erin@example.com' });
    const own = await admin.request('sessions.list');
    expect(own.payload.sessions.map((s: any) => s.key)).not.toContain(sessionKey);
    const h = await admin.request('chat.history', { sessionKey });
    expect(h.payload.messages.map((m: any) => m.text)).toEqual(["erin's question", 'ok']);
    expect((await send(admin, 'I am root', sessionKey)).error).toMatchObject({ reason: 'session_not_found' });
    expect((await admin.request('sessions.delete', { sessionKey })).error).toMatchObject({ reason: 'session_not_found' });
    expect((await erin.request('chat.history', { sessionKey })).payload.messages).toHaveLength(2);
  });
});

describe('sessions', () => {
  it('create, rename, list, delete', async () => {
    const frank = await as('frank@example.com');
    const created = await frank.request('sessions.create', { title: 'Plans' });
    expect(created.payload).toMatchObject({ title: 'Plans', owner: 'trusted-proxy:frank@example.com' });
    const renamed = await frank.request('sessions.rename', { sessionKey: created.payload.key, title: 'Trips' });
    expect(renamed.payload.title).toBe('Trips');
    stub.script(stream(['sure']));
    const c = await converse(frank, 'book it', created.payload.key);
    expect(c.sessionKey).toBe(created.payload.key);
    expect((await frank.request('sessions.list')).payload.sessions.map((s: any) => [s.key, s.title])).toEqual([[created.payload.key, 'Trips']]);
    expect(await frank.request('sessions.delete', { sessionKey: created.payload.key })).toMatchObject({ ok: true, payload: { deleted: true } });
    expect((await frank.request('chat.history', { sessionKey: created.payload.key })).error.reason).toBe('session_not_found');
    expect((await frank.request('sessions.list')).payload.sessions).toEqual([]);
  });
});

/** The order sessions.list promises: most recently active first, ties by the greater key first. */
const listedOrder = (list: { key: string; updatedAt: number }[]): string[] =>
  [...list].sort((a, b) => b.updatedAt - a.updatedAt || (a.key < b.key ? 1 : a.key > b.key ? -1 : 0)).map((s) => s.key);

/** Every page of a listing, following `next` (bounded), as the answers came. */
async function pages(c: WsClient, params: Record<string, unknown>): Promise<any[]> {
  const out: any[] = [];
  let before: string | undefined;
  do {
    const r = await c.request('sessions.list', { ...params, ...(before !== undefined && { before }) });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    out.push(r.payload);
    before = r.payload.next;
  } while (before !== undefined && out.length < 50);
  return out;
}

describe('sessions.list pages', () => {
  let uma: WsClient | undefined;
  it('limit and before page the own list: every session once, in order, `next` absent on the last page; no params is the first page', async () => {
    const paula = await as('paula@example.com');
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await paula.request('sessions.create', { title: `p${i}` })).payload.key);
    const got = await pages(paula, { limit: 2 });
    expect(got.map((p) => p.sessions.length)).toEqual([2, 2, 1]);
    expect(got.map((p) => typeof p.next)).toEqual(['string', 'string', 'undefined']);
    const listed = got.flatMap((p) => p.sessions);
    expect(listed.map((s: any) => s.key)).toEqual(listedOrder(listed));
    expect([...listed.map((s: any) => s.key)].sort()).toEqual([...made].sort());
    // The call as issue 15 defined it answers the first page, whole here (under 100), without `next`.
    const first = await paula.request('sessions.list');
    expect(first.payload).toEqual({ sessions: listed });
  });

  it("an admin pages everyone's sessions the same way", async () => {
    const admin = await as(ADMIN);
    const rita = await as('rita@example.com');
    for (let i = 0; i < 4; i++) await rita.request('sessions.create', { title: `r${i}` });
    const whole = (await admin.request('sessions.list', { all: true, limit: 200 })).payload;
    expect(whole.next).toBeUndefined();
    expect(whole.sessions.length).toBeGreaterThan(4);
    const got = await pages(admin, { all: true, limit: 3 });
    expect(got.slice(0, -1).every((p) => p.sessions.length === 3 && p.next)).toBe(true);
    const listed = got.flatMap((p) => p.sessions);
    expect(listed).toEqual(whole.sessions);
    expect(listed.map((s: any) => s.key)).toEqual(listedOrder(listed));
    expect(new Set(listed.map((s: any) => s.owner)).size).toBeGreaterThan(1);
    // `all` still needs operator.admin, with a cursor too.
    expect(await rita.request('sessions.list', { all: true, before: got[0].next })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', reason: 'scope_missing' } });
  });

  it("a cursor made from another person's session pages only one's own sessions", async () => {
    const sam = await as('sam@example.com');
    const tess = await as('tess@example.com');
    const sams: string[] = [];
    for (let i = 0; i < 3; i++) sams.push((await sam.request('sessions.create', { title: `s${i}` })).payload.key);
    for (let i = 0; i < 2; i++) await tess.request('sessions.create', { title: `t${i}` });
    // tess's first page of one: its `next` names her newest session, made after all of sam's.
    const hers = (await tess.request('sessions.list', { limit: 1 })).payload;
    expect(hers.next).toEqual(expect.any(String));
    const got = await sam.request('sessions.list', { before: hers.next });
    expect(got.payload.sessions.map((s: any) => s.owner)).toEqual(sams.map(() => 'trusted-proxy:sam@example.com'));
    expect(got.payload.sessions.map((s: any) => s.key).sort()).toEqual([...sams].sort());
    expect(got.payload.next).toBeUndefined();
  });

  it.each([
    [{ limit: 0 }, /at limit: must be from 1 to 200/],
    [{ limit: 201 }, /at limit: must be from 1 to 200/],
    [{ limit: 1.5 }, /at limit: must be a whole number from 1 to 200/],
    [{ limit: '10' }, /at limit: /],
    [{ before: 'not-a-cursor' }, /at before: must be the `next` of an earlier sessions\.list answer/],
    [{ before: 17 }, /at before: /],
    [{ before: Buffer.from('1:a key').toString('base64url') }, /at before: must be the `next`/],
    [{ page: 2 }, /invalid sessions\.list params/],
  ])('refuses %j with INVALID_PARAMS naming the field', async (params, message) => {
    // One connection for the table (connections stay open until the suite ends).
    uma ??= await as('uma@example.com');
    const r = await uma.request('sessions.list', params);
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS' } });
    expect(r.error.message).toMatch(message);
  });
});

describe('limits', () => {
  it('one run at a time per session: session_busy, and the session is free again after', async () => {
    const gina = await as('gina@example.com');
    const rest = gate();
    stub.script(stream(['slow', { text: 'ly', after: rest.opened }]));
    const first = await send(gina, 'one');
    const busy = await send(gina, 'two', first.payload.sessionKey);
    expect(busy.error).toMatchObject({ code: 'CONFLICT', reason: 'session_busy' });
    const listed = await gina.request('sessions.list');
    expect(listed.payload.sessions[0].activeRunId).toBe(first.payload.runId);
    rest.open();
    expect((await runEvents(gina, first.payload.runId)).at(-1)).toMatchObject({ state: 'final', message: { text: 'slowly' } });
    stub.script(stream(['free']));
    expect((await converse(gina, 'two', first.payload.sessionKey)).last.state).toBe('final');
  });

  it('per-person concurrent runs and sends per minute: chat_rate_limited, applied from a reload', async () => {
    await t.rewrite(gatewaySection(), sections({ maxConcurrentRuns: 1, sendsPerMinute: 3 }));
    try {
      const hank = await as('hank@example.com');
      const other = await as('ivan@example.com');
      const rest = gate();
      stub.script(stream([{ text: 'x', after: rest.opened }]), stream(['y']));
      const first = await send(hank, 'one');
      const second = await send(hank, 'two');
      expect(second.error).toMatchObject({ code: 'RATE_LIMITED', reason: 'chat_rate_limited' });
      expect(second.error.message).toMatch(/chat\.maxConcurrentRuns/);
      // Another person is not held back by hank's runs.
      const theirs = await send(other, 'mine');
      expect(theirs.ok).toBe(true);
      rest.open();
      await runEvents(hank, first.payload.runId);
      await runEvents(other, theirs.payload.runId);
      stub.script(stream(['z']), stream(['w']));
      await converse(hank, 'three');
      await converse(hank, 'four').catch(() => undefined);
      const fifth = await send(hank, 'five');
      expect(fifth.error).toMatchObject({ reason: 'chat_rate_limited' });
      expect(fifth.error.message).toMatch(/\(chat\.sendsPerMinute\); send again in \d+ s/);
    } finally {
      await t.rewrite(gatewaySection(), sections());
    }
  });
});

describe('provider failures end the run with state error and its reason; the message and the partial answer are kept', () => {
  const cases: Array<[string, string, StubScript[], string]> = [
    ['HTTP 401', 'provider_auth_failed', [{ kind: 'status', status: 401 }], ''],
    ['HTTP 403', 'provider_auth_failed', [{ kind: 'status', status: 403 }], ''],
    ['HTTP 429 with a long Retry-After', 'provider_rate_limited', [{ kind: 'status', status: 429, headers: { 'retry-after': '60' } }], ''],
    ['HTTP 500 three times', 'provider_error', [{ kind: 'status', status: 500 }, { kind: 'status', status: 502 }, { kind: 'status', status: 503 }], ''],
    ['a malformed stream', 'provider_error', [stream(['part '], { end: 'malformed' })], 'part '],
    ['a stream cut mid-answer', 'provider_error', [stream(['half ', 'an answer'], { end: 'cut' })], 'half an answer'],
    ['a stream that ends without finishing', 'provider_error', [stream(['trail'], { end: 'no-done' })], 'trail'],
    ['silence before the answer', 'provider_timeout', [{ kind: 'hang' }], ''],
    ['silence mid-answer', 'provider_timeout', [stream(['started'], { end: 'stall' })], 'started'],
  ];
  it.each(cases)('%s -> %s', async (_name, reason, scripts, partial) => {
    const c = await as('judy@example.com');
    const timeout = reason === 'provider_timeout';
    if (timeout) await t.rewrite(gatewaySection(), sections({}, 1));
    stub.script(...scripts);
    const r = await converse(c, `question ${_name}`).finally(() => timeout && t.rewrite(gatewaySection(), sections()));
    expect(r.last).toMatchObject({ state: 'error', reason });
    expect(r.events.map((e: any) => e.seq)).toEqual(r.events.map((_e: any, i: number) => i));
    const h = await c.request('chat.history', { sessionKey: r.sessionKey });
    expect(h.payload.messages.map((m: any) => [m.role, m.text, m.state, m.reason])).toEqual([
      ['user', `question ${_name}`, 'complete', null],
      ['assistant', partial, 'error', reason],
    ]);
  });

  it('refused connection -> provider_unreachable', async () => {
    const port = await freePort();
    await t.rewrite(gatewaySection(), { ...sections(), models: { providers: { down: { baseUrl: `http://127.0.0.1:${port}/v1`, models: ['m'] } }, default: 'down/m' } });
    try {
      const c = await as('judy@example.com');
      const r = await converse(c, 'anyone there?');
      expect(r.last).toMatchObject({ state: 'error', reason: 'provider_unreachable' });
      const h = await c.request('chat.history', { sessionKey: r.sessionKey });
      expect(h.payload.messages[0]).toMatchObject({ text: 'anyone there?', state: 'complete' });
    } finally {
      await t.rewrite(gatewaySection(), sections());
    }
  });
});

describe('stopping a run', () => {
  it('chat.abort: aborted with chat_aborted, the partial answer kept; only the owner may abort', async () => {
    const kim = await as('kim@example.com');
    const leo = await as('leo@example.com');
    const rest = gate();
    stub.script(stream(['one ', { text: 'two ', after: rest.opened }, 'three']));
    try {
      const r = await send(kim, 'count');
      expect(await chatEvent(kim, r.payload.runId, 'first delta')).toMatchObject({ payload: { state: 'delta', delta: 'one ' } });
      expect((await leo.request('chat.abort', { runId: r.payload.runId })).error).toMatchObject({ code: 'NOT_FOUND', reason: 'run_not_found' });
      expect(await kim.request('chat.abort', { runId: r.payload.runId })).toMatchObject({ ok: true, payload: { aborted: true } });
      const events = await runEvents(kim, r.payload.runId);
      expect(events[events.length - 1]).toMatchObject({ state: 'aborted', reason: 'chat_aborted', message: { text: 'one ', state: 'aborted' } });
      await stub.requests[0]!.closed;
      expect(stub.requests[0]!.clientClosed).toBe(true);
      expect(await kim.request('chat.abort', { runId: r.payload.runId })).toMatchObject({ ok: true, payload: { aborted: false } });
    } finally {
      rest.open();
    }
  });

  it('deleting the session aborts its run (chat_session_deleted) and removes it', async () => {
    const mia = await as('mia@example.com');
    const tab2 = await as('mia@example.com');
    const rest = gate();
    stub.script(stream(['a', { text: 'b', after: rest.opened }, 'c']));
    try {
      const r = await send(mia, 'long one');
      await chatEvent(mia, r.payload.runId, 'first delta');
      expect((await tab2.request('sessions.delete', { sessionKey: r.payload.sessionKey })).ok).toBe(true);
      const events = await runEvents(mia, r.payload.runId);
      expect(events[events.length - 1]).toMatchObject({ state: 'aborted', reason: 'chat_session_deleted' });
      expect(t.gw.ctx.chat.running).toBe(0);
    } finally {
      rest.open();
    }
  });

  it('a reload that takes operator.write from the owner aborts the run (chat_scope_revoked)', async () => {
    const ned = await as('ned@example.com');
    const rest = gate();
    stub.script(stream(['a', { text: 'b', after: rest.opened }, 'c', 'd']));
    const r = await send(ned, 'long one');
    await chatEvent(ned, r.payload.runId, 'first delta');
    try {
      await t.rewrite({ ...gatewaySection([{ users: ['ned@example.com'], scopes: ['operator.read'] }]), authorization: { defaultScopes: [], rules: [{ users: [ADMIN], scopes: ['operator.admin'] }, { users: ['ned@example.com'], scopes: ['operator.read'] }] } });
      const events = await runEvents(ned, r.payload.runId);
      expect(events[events.length - 1]).toMatchObject({ state: 'aborted', reason: 'chat_scope_revoked' });
      expect((await send(ned, 'again')).error).toMatchObject({ code: 'FORBIDDEN', reason: 'scope_missing' });
      expect((await ned.request('chat.history', { sessionKey: r.payload.sessionKey })).payload.messages[1]).toMatchObject({ state: 'aborted', reason: 'chat_scope_revoked' });
    } finally {
      rest.open();
      await t.rewrite(gatewaySection(), sections());
    }
  });

  it('a reload that takes operator.write stops the run of an owner with no connection open', async () => {
    const quinn = await as('quinn@example.com');
    const rest = gate();
    stub.script(stream(['a', { text: 'b', after: rest.opened }, 'c', 'd', 'e']));
    const r = await send(quinn, 'long one');
    await chatEvent(quinn, r.payload.runId, 'first delta');
    quinn.close();
    await waitFor(() => t.gw.ws.sessions.size === open.filter((c) => c.ws.readyState === c.ws.OPEN).length, 3000, 'the connection gone');
    try {
      await t.rewrite({ ...gatewaySection(), authorization: { defaultScopes: [], rules: [{ users: [ADMIN], scopes: ['operator.admin'] }, { users: ['quinn@example.com'], scopes: ['operator.read'] }] } });
      await waitFor(() => t.gw.ctx.chat.activeRunIn(r.payload.sessionKey) === undefined, 3000, 'the run stopped');
      const reader = await as('quinn@example.com');
      expect((await reader.request('chat.history', { sessionKey: r.payload.sessionKey })).payload.messages[1]).toMatchObject({ state: 'aborted', reason: 'chat_scope_revoked' });
    } finally {
      rest.open();
      await t.rewrite(gatewaySection(), sections());
    }
  });

  it('a closed connection does not stop the run: another tab sees it end', async () => {
    const olga = await as('olga@example.com');
    const other = await as('olga@example.com');
    const rest = gate();
    stub.script(stream(['x', { text: 'y', after: rest.opened }]));
    const r = await send(olga, 'go on');
    await chatEvent(other, r.payload.runId, 'the first delta');
    olga.close();
    await waitFor(() => t.gw.ws.sessions.size === open.filter((c) => c.ws.readyState === c.ws.OPEN).length, 5000, 'the connection gone');
    // The rest of the answer comes only now, with the sender's connection gone.
    rest.open();
    const events = await runEvents(other, r.payload.runId);
    expect(events[events.length - 1]).toMatchObject({ state: 'final', message: { text: 'xy' } });
  });
});

describe('journal', () => {
  it('a failing journal never breaks chat: logged, and the run ends normally', async () => {
    const saved = t.gw.ctx.journal;
    const recorded: unknown[] = [];
    // A sink of its own (the gateway's is a JournalRecorder, whose methods a spread would not copy).
    t.gw.ctx.journal = { enabled: true, admit: () => {}, refuse: () => {}, record: (e) => {
      recorded.push(e);
      throw new Error('disk on fire');
    } };
    try {
      const pat = await as('pat@example.com');
      stub.script(stream(['fine'], { usage: { prompt: 3, completion: 1 } }));
      const r = await converse(pat, 'private text');
      expect(r.last.state).toBe('final');
      expect(recorded).toEqual([{ kind: 'chat.run', actor: { type: 'user', id: 'pat@example.com' }, payload: { runId: r.runId, sessionKey: r.sessionKey, model: 'stub/m1', state: 'final', usage: { prompt: 3, completion: 1 } } }]);
      expect(JSON.stringify(recorded)).not.toContain('private text');
      expect((await pat.request('sessions.delete', { sessionKey: r.sessionKey })).ok).toBe(true);
      expect(recorded[1]).toEqual({ kind: 'session.delete', actor: { type: 'user', id: 'pat@example.com' }, payload: { sessionKey: r.sessionKey, owner: 'trusted-proxy:pat@example.com' } });
      await waitFor(() => t.logs.filter((l) => l.event === 'journal_record_failed').length >= 2, 5000, 'journal failures logged');
    } finally {
      t.gw.ctx.journal = saved;
    }
  });
});
