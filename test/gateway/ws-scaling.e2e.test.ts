/**
 * What keeps a WebSocket session cheap when thousands are connected (docs/performance.md):
 * presence events go only to sessions that subscribe in `connect`, and an idle session does not
 * keep its upgrade request alive.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, wsOpen, type TestGateway, type WsClient } from '../helpers/inproc.js';

const TOKEN = 'ws-scaling-suite-token-0123456789';
let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ trustedProxies: ['127.0.0.1'], auth: { mode: 'token', token: TOKEN } });
});
afterAll(() => t.stop());

function connectParams(name: string, extra: Record<string, unknown> = {}) {
  return { type: 'req', id: 'c1', method: 'connect', params: { protocol: 1, client: { name, version: '1' }, auth: { token: TOKEN }, ...extra } };
}

async function connected(name: string, extra: Record<string, unknown> = {}): Promise<{ c: WsClient; hello: any }> {
  const c = wsOpen(t.wsUrl);
  await c.opened;
  c.send(connectParams(name, extra));
  const hello = await c.next((f) => f.id === 'c1');
  expect(hello).toMatchObject({ ok: true, payload: { type: 'hello-ok' } });
  return { c, hello };
}

const isPresence = (f: any) => f.type === 'event' && f.event === 'presence';

describe('presence subscription', () => {
  it('sends joins and leaves to subscribers only', async () => {
    const watcher = await connected('watcher', { subscribe: ['presence'] });
    const quiet = await connected('quiet');
    const visitor = await connected('visitor');
    const join = await watcher.c.next((f) => isPresence(f) && f.payload.change === 'join' && f.payload.entry.client.name === 'visitor');
    expect(join.payload.entries.map((e: any) => e.client.name)).toEqual(expect.arrayContaining(['watcher', 'quiet', 'visitor']));

    visitor.c.ws.close();
    const leave = await watcher.c.next((f) => isPresence(f) && f.payload.change === 'leave' && f.payload.entry.client.name === 'visitor');
    expect(leave.payload.entry.connId).toBe(visitor.hello.payload.server.connId);

    // Frames on one connection arrive in order: an event sent to `quiet` for either change would
    // have been written before the reply to a request it sends now.
    const list = await quiet.c.request('presence.list');
    expect(list.payload.entries.map((e: any) => e.client.name)).toEqual(expect.arrayContaining(['watcher', 'quiet']));
    expect(quiet.c.frames.filter(isPresence)).toEqual([]);
    watcher.c.close();
    quiet.c.close();
  });

  it('refuses an unknown event name in subscribe, naming the field', async () => {
    const c = wsOpen(t.wsUrl);
    await c.opened;
    c.send(connectParams('typo', { subscribe: ['presense'] }));
    const reply = await c.next((f) => f.id === 'c1');
    expect(reply).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS' } });
    expect(reply.error.message).toMatch(/subscribe/);
    c.close();
  });
});

describe('idle session memory', () => {
  it('drops the upgrade request once connect succeeds', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const before = new Set(t.gw.ws.sessions);
    const c = wsOpen(t.wsUrl);
    await c.opened;
    const deadline = Date.now() + 5000;
    let session = [...t.gw.ws.sessions].find((s) => !before.has(s));
    while (!session && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
      session = [...t.gw.ws.sessions].find((s) => !before.has(s));
    }
    // Not through expect(): an assertion may keep the value it was given.
    if (!session?.upgradeReq) throw new Error('no new session holding its upgrade request');
    const req = new WeakRef(session.upgradeReq);
    session = undefined;

    c.send(connectParams('idle'));
    expect(await c.next((f) => f.id === 'c1')).toMatchObject({ ok: true });
    // deref() keeps its target alive until the current job ends, so collect in a later task.
    let released = false;
    for (let i = 0; i < 10 && !released; i++) {
      await new Promise((r) => setTimeout(r, 20));
      gc();
      await new Promise((r) => setTimeout(r, 0));
      released = req.deref() === undefined;
    }
    expect(released).toBe(true);
    c.close();
  });
});
