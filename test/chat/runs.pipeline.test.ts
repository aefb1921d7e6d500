/**
 * chat.send asks the model first and stores the message while the request travels. These cases
 * call ChatRuns directly (a real store in a temp dir, the loopback model stub), so two sends can
 * be made in the same turn of the event loop, which a WebSocket client cannot force.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { ChatRuns } from '../../src/chat/runs.js';
import { chatSchema } from '../../src/config/chat-schema.js';
import { modelsSchema } from '../../src/config/models-schema.js';
import { NO_JOURNAL } from '../../src/journal/sink.js';
import type { Identity } from '../../src/protocol/identity.js';
import { ChatStore } from '../../src/store/chat-sessions.js';
import { openStore } from '../../src/store/open.js';
import type { DatabaseState } from '../../src/store/state.js';
import { startOpenAIStub, type OpenAIStub } from '../support/openai-stub.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';
import { sleep, within } from '../support/wait.js';

let stub: OpenAIStub;
let dir: string;
let database: DatabaseState & { state: 'open' };
let runs: ChatRuns;
const alice: Identity = { user: 'alice@example.com', method: 'trusted-proxy', groups: [] };
const bob: Identity = { user: 'bob@example.com', method: 'trusted-proxy', groups: [] };
const quiet = { info() {}, warn() {}, error() {} };

beforeAll(async () => {
  stub = await startOpenAIStub();
  dir = makeTempDir('pipeline');
  const { db, file } = openStore(join(dir, 'mayros.db'));
  database = { state: 'open', file, db, chats: new ChatStore(db, file) };
  const config = {
    models: modelsSchema.parse({ providers: { stub: { baseUrl: stub.baseUrl, models: ['m1'] } }, default: 'stub/m1', requestTimeoutSec: 15 }),
    chat: chatSchema.parse({ maxConcurrentRuns: 5, sendsPerMinute: 1000 }),
  };
  runs = new ChatRuns({ database: () => database, config: () => config, journal: () => NO_JOURNAL, logger: quiet, now: Date.now, env: {} });
});
afterAll(async () => {
  await runs?.close();
  database?.db.close();
  await stub?.close();
  if (dir) removeTempDir(dir);
});
beforeEach(() => {
  stub.requests.length = 0;
});

/** Collects the `chat` events of every run; `ended(runId)` resolves with a run's last one. */
function events() {
  const seen: { runId: string; state: string }[] = [];
  const waiting: (() => void)[] = [];
  return {
    emitTo: (_who: Identity, _event: 'chat', payload: { runId: string; state: string }) => {
      seen.push(payload);
      for (const w of waiting.splice(0)) w();
    },
    async ended(runId: string) {
      for (;;) {
        const last = seen.find((e) => e.runId === runId && e.state !== 'delta');
        if (last) return last;
        await within(new Promise<void>((r) => waiting.push(r)), 5000, `the end of run ${runId}`);
      }
    },
  };
}

it('two sends of one idempotency key in the same turn ask the model once and answer alike', async () => {
  stub.script({ kind: 'stream', chunks: ['once'] });
  const ev = events();
  const first = runs.send(alice, { message: 'twice', idempotencyKey: 'same-turn' }, ev.emitTo);
  const second = runs.send(alice, { message: 'twice', idempotencyKey: 'same-turn' }, ev.emitTo);
  // The repeat waits for the first send's answer; it starts no run of its own.
  expect(second).toBe(first);
  expect(runs.running).toBe(1);
  const [a, b] = await Promise.all([first, second]);
  expect(a.ok, JSON.stringify(a)).toBe(true);
  expect(b).toEqual(a);
  if (!a.ok) return;
  expect(await ev.ended(a.value.runId)).toMatchObject({ state: 'final' });
  await sleep(100);
  expect(stub.requests).toHaveLength(1);
  const session = database.chats.getSession('trusted-proxy:alice@example.com', a.value.sessionKey)!;
  expect(database.chats.history(session).messages.map((m) => m.role)).toEqual(['user', 'assistant']);
});

it('the message is stored before the send is answered, and the model got it', async () => {
  stub.script({ kind: 'stream', chunks: ['fine'] });
  const ev = events();
  const sent = runs.send(alice, { message: 'how are you?', idempotencyKey: 'stored-first' }, ev.emitTo);
  expect(sent).toBeInstanceOf(Promise);
  const r = await sent;
  if (!r.ok) throw new Error(JSON.stringify(r));
  const session = database.chats.getSession('trusted-proxy:alice@example.com', r.value.sessionKey)!;
  expect(database.chats.history(session).messages[0]).toMatchObject({ role: 'user', text: 'how are you?', runId: r.value.runId });
  await ev.ended(r.value.runId);
  expect(stub.requests[0]!.messages.at(-1)).toEqual({ role: 'user', content: 'how are you?' });
});

it('a bug while storing (not a storage failure) rejects the send, which the registry answers INTERNAL; the request is called off and nothing runs', async () => {
  stub.script({ kind: 'hang' });
  const ev = events();
  const real = database.chats.beginRun.bind(database.chats);
  database.chats.beginRun = () => {
    throw new TypeError('a bug');
  };
  try {
    await expect(runs.send(alice, { message: 'oops', idempotencyKey: 'bug-1' }, ev.emitTo)).rejects.toThrow('a bug');
  } finally {
    database.chats.beginRun = real;
  }
  expect(runs.running).toBe(0);
  // Whether or not the request had reached the model server, nothing is left open there.
  await sleep(200);
  for (const r of stub.requests) {
    await within(r.closed, 3000, 'the model request closed');
    expect(r.clientClosed).toBe(true);
  }
  // The key is free again.
  stub.script({ kind: 'stream', chunks: ['ok'] });
  const again = await runs.send(alice, { message: 'oops', idempotencyKey: 'bug-1' }, ev.emitTo);
  expect(again.ok).toBe(true);
});

it('the request leaves for the model before the message is stored: the commit overlaps the model\'s time', async () => {
  const ev = events();
  // A first send opens the keep-alive connection (a new connection is only ready later).
  stub.script({ kind: 'stream', chunks: ['warm'] }, { kind: 'stream', chunks: ['ok'] });
  const warm = await runs.send(alice, { message: 'warm up', idempotencyKey: 'overlap-0' }, ev.emitTo);
  if (!warm.ok) throw new Error(JSON.stringify(warm));
  await ev.ended(warm.value.runId);
  const count = database.db.prepare(`SELECT count(*) FROM messages WHERE text = 'overlap?'`).pluck();
  let storedWhenSent: boolean | undefined;
  const onSend = (): void => {
    storedWhenSent ??= (count.get() as number) > 0;
  };
  subscribe('undici:client:sendHeaders', onSend);
  try {
    const r = await runs.send(alice, { message: 'overlap?', idempotencyKey: 'overlap-1' }, ev.emitTo);
    if (!r.ok) throw new Error(JSON.stringify(r));
    await ev.ended(r.value.runId);
  } finally {
    unsubscribe('undici:client:sendHeaders', onSend);
  }
  expect(storedWhenSent).toBe(false);
  expect(count.get()).toBe(1);
});

it("another person's send with the same idempotency key in the same turn is theirs alone: never the first person's run or session", async () => {
  stub.script({ kind: 'stream', chunks: ['for alice'] }, { kind: 'stream', chunks: ['for bob'] });
  const ev = events();
  const a = runs.send(alice, { message: 'mine', idempotencyKey: 'shared-key' }, ev.emitTo);
  const b = runs.send(bob, { message: 'mine too', idempotencyKey: 'shared-key' }, ev.emitTo);
  expect(b).not.toBe(a);
  const [ra, rb] = await Promise.all([a, b]);
  if (!ra.ok || !rb.ok) throw new Error(JSON.stringify([ra, rb]));
  expect(rb.value.runId).not.toBe(ra.value.runId);
  expect(rb.value.sessionKey).not.toBe(ra.value.sessionKey);
  expect(database.chats.getSession('trusted-proxy:bob@example.com', ra.value.sessionKey)).toBeUndefined();
  await Promise.all([ev.ended(ra.value.runId), ev.ended(rb.value.runId)]);
});
