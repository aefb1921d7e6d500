/**
 * Chat when something it needs is missing: no `models` section (the gateway starts and works;
 * chat.send says what to add), a database that cannot be opened (every chat method answers its
 * store_* code, the gateway keeps serving), a database that fails mid-answer, and models.list.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gate, startOpenAIStub, type OpenAIStub } from '../support/openai-stub.js';
import { startTestGateway, type TestGateway } from '../support/gateway-inproc.js';
import { sleep, within } from '../support/wait.js';
import { wsConnect, type WsClient } from '../support/ws-client.js';

const GATEWAY = { trustedProxies: ['127.0.0.1'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user' } } };

let stub: OpenAIStub;
const gateways: TestGateway[] = [];
const clients: WsClient[] = [];
beforeAll(async () => {
  stub = await startOpenAIStub();
});
afterAll(async () => {
  for (const c of clients) c.close();
  for (const g of gateways) await g.stop();
  await stub?.close();
});

async function start(...args: Parameters<typeof startTestGateway>): Promise<TestGateway> {
  const g = await startTestGateway(...args);
  gateways.push(g);
  return g;
}
async function as(g: TestGateway, user: string): Promise<WsClient> {
  const { client } = await wsConnect(g.wsUrl, { headers: { 'x-forwarded-user': user } });
  clients.push(client);
  return client;
}

describe('no models section', () => {
  it('the gateway serves; chat.send answers models_not_configured with the config lines; sessions still work; models.list says so', async () => {
    const g = await start(GATEWAY);
    const c = await as(g, 'alice@example.com');
    expect(await c.request('whoami')).toMatchObject({ ok: true });
    const r = await c.request('chat.send', { message: 'hello', idempotencyKey: 'k1' });
    expect(r.error).toMatchObject({ code: 'UNAVAILABLE', reason: 'models_not_configured' });
    expect(r.error.message).toMatch(/models: \{ providers: \{ local: \{ baseUrl: "http:\/\/127\.0\.0\.1:11434\/v1", models: \["llama3\.2"\] \} \}, default: "local\/llama3\.2" \}/);
    // Nothing was stored for a message that could not be answered.
    expect((await c.request('sessions.list')).payload.sessions).toEqual([]);
    expect((await c.request('sessions.create', { title: 'later' })).ok).toBe(true);
    expect((await c.request('models.list')).payload).toEqual({ configured: false, default: null, providers: [] });
  });
});

describe('models.list', () => {
  it('each provider, whether it answers, and its models', async () => {
    stub.models = ['m1', 'other'];
    const g = await start(GATEWAY, { sections: { models: { providers: { stub: { baseUrl: stub.baseUrl, models: ['m1', 'gone'] } }, default: 'stub/m1' } } });
    const c = await as(g, 'alice@example.com');
    expect((await c.request('models.list')).payload).toEqual({
      configured: true,
      default: 'stub/m1',
      providers: [{ provider: 'stub', baseUrl: stub.baseUrl, configured: ['m1', 'gone'], reachable: true, ok: true, offered: ['m1', 'other'], missing: ['gone'] }],
    });
  });
});

describe('the database cannot be used', () => {
  it('at startup: every chat method answers the store code; the gateway keeps serving', async () => {
    const g = await start(GATEWAY, { sections: { models: { providers: { stub: { baseUrl: stub.baseUrl, models: ['m1'] } }, default: 'stub/m1' } } }, (dir) =>
      writeFileSync(join(dir, 'mayros.db'), 'not a database\n'.repeat(300), { mode: 0o600 }),
    );
    expect(g.gw.ctx.database.state).toBe('unavailable');
    const c = await as(g, 'alice@example.com');
    const answers = [
      await c.request('chat.send', { message: 'hello', idempotencyKey: 'k1' }),
      await c.request('chat.history', { sessionKey: 'A'.repeat(24) }),
      await c.request('chat.abort', { runId: 'r1' }),
      await c.request('sessions.list'),
      await c.request('sessions.create', {}),
      await c.request('sessions.rename', { sessionKey: 'A'.repeat(24), title: 'x' }),
      await c.request('sessions.delete', { sessionKey: 'A'.repeat(24) }),
    ];
    for (const a of answers) {
      expect(a.error).toMatchObject({ code: 'UNAVAILABLE', reason: 'store_not_a_database' });
      expect(a.error.message).not.toContain(g.dir);
    }
    expect(await c.request('status')).toMatchObject({ ok: true });
  });

  it('mid-answer: the run ends with the store code, and the gateway goes on', async () => {
    const g = await start(GATEWAY, { sections: { models: { providers: { stub: { baseUrl: stub.baseUrl, models: ['m1'] } }, default: 'stub/m1' } } });
    const c = await as(g, 'bob@example.com');
    const db = g.gw.ctx.database;
    if (db.state !== 'open') throw new Error('database not open');
    // The rest of the answer comes once the disk is full.
    const rest = gate();
    stub.script({ kind: 'stream', chunks: ['a', { text: 'b', after: rest.opened }, 'c', 'd'] });
    const r = await c.request('chat.send', { message: 'hello', idempotencyKey: 'k1' });
    await within(c.next((e) => e.event === 'chat' && e.payload.runId === r.payload.runId), 3000, 'first delta');
    // The disk fills up: every write from now on fails as SQLite reports it.
    const real = db.chats.setAnswerText.bind(db.chats);
    db.chats.setAnswerText = () => {
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    };
    // The next piece comes more than the 200 ms save interval after the first, so the gateway
    // saves the text so far when it arrives (a wait that load only makes longer).
    await sleep(250);
    rest.open();
    try {
      let last: any;
      do last = (await within(c.next((e) => e.event === 'chat' && e.payload.runId === r.payload.runId), 5000, 'end')).payload;
      while (last.state === 'delta');
      expect(last).toMatchObject({ state: 'error', reason: 'store_full' });
      expect(g.logs.some((l) => l.event === 'chat_store_failed' && l.code === 'store_full')).toBe(true);
    } finally {
      db.chats.setAnswerText = real;
    }
    expect((await c.request('chat.history', { sessionKey: r.payload.sessionKey })).payload.messages[1]).toMatchObject({ state: 'error', reason: 'store_full' });
  });
});

describe('API keys at startup and on reload', () => {
  it('warns about an { env } key whose variable is unset, naming the field and the fix, and never logs a key', async () => {
    const models = {
      providers: {
        named: { baseUrl: stub.baseUrl, apiKey: { env: 'MAYROS_TEST_UNSET_KEY' }, models: ['m1'] },
        set: { baseUrl: stub.baseUrl, apiKey: { env: 'MAYROS_TEST_SET_KEY' }, models: ['m1'] },
        inline: { baseUrl: stub.baseUrl, apiKey: 'sk-inline-secret-0123456789', models: ['m1'] },
      },
      default: 'named/m1',
    };
    const g = await start(GATEWAY, { sections: { models }, env: { MAYROS_TEST_SET_KEY: 'sk-env-secret-9876543210' } });
    const warned = g.logs.filter((l) => l.event === 'models_key_unset');
    expect(warned).toEqual([expect.objectContaining({ field: 'models.providers.named.apiKey', fix: expect.stringContaining('set MAYROS_TEST_UNSET_KEY') })]);
    expect(g.rawLogs()).not.toContain('sk-inline-secret');
    expect(g.rawLogs()).not.toContain('sk-env-secret');
  });

  it('warns again after a reload that changes models (a provider added with an unset key), and not after one that leaves models alone', async () => {
    const local = { baseUrl: stub.baseUrl, models: ['m1'] };
    const g = await start(GATEWAY, { sections: { models: { providers: { local }, default: 'local/m1' } }, env: {} });
    const warned = () => g.logs.filter((l) => l.event === 'models_key_unset');
    expect(warned()).toEqual([]);

    const added = { providers: { local, remote: { baseUrl: stub.baseUrl, apiKey: { env: 'MAYROS_TEST_RELOAD_UNSET_KEY' }, models: ['m2'] } }, default: 'local/m1' };
    expect(await g.rewrite(GATEWAY, { models: added })).toMatchObject({ status: 'applied' });
    expect(warned()).toEqual([expect.objectContaining({ level: 40, field: 'models.providers.remote.apiKey', fix: expect.stringContaining('set MAYROS_TEST_RELOAD_UNSET_KEY') })]);

    // A reload of something else says nothing more about models.
    expect(await g.rewrite(GATEWAY, { models: added, chat: { sendsPerMinute: 5 } })).toMatchObject({ status: 'applied' });
    expect(warned()).toHaveLength(1);
  });
});
