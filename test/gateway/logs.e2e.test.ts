/**
 * logs.tail over a real gateway whose logger writes its lines to a ring as well (as `gateway run`
 * does): an admin reads the gateway's own lines and follows new ones as `logs.line` events; a
 * session without operator.admin is refused; following ends when the session closes or a reload
 * takes the scope away.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/gateway/log.js';
import { LogRing } from '../../src/logs/ring.js';
import { startTestGateway, type TestGateway } from '../support/gateway-inproc.js';
import { httpRequest } from '../support/http-client.js';
import { sleep, waitFor, within } from '../support/wait.js';
import { wsConnect } from '../support/ws-client.js';

const A = 'operator.admin';
const config = (admins: string[]) => ({
  trustedProxies: ['127.0.0.1'],
  auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user' } },
  authorization: { rules: [{ users: admins, scopes: [A] }] },
});
const as = (user: string) => ({ 'x-forwarded-user': user });

let t: TestGateway;
let stderr = '';
beforeAll(async () => {
  const ring = new LogRing({ capacity: 500 });
  const out = new Writable({
    write(chunk: Buffer, _e, cb) {
      stderr += chunk.toString();
      cb();
    },
  });
  t = await startTestGateway(config(['alice@example.com', 'carol@example.com']), { logger: createLogger('json', { out, ring }), logRing: ring });
});
afterAll(() => t?.stop());

/** One refused request from an address that is not a trusted proxy: one `request rejected` line. */
const refuse = (tag: string) => httpRequest(`${t.url}/api/status?tag=${tag}`, { localAddress: '127.0.0.2', headers: as('mallory@example.com') });

describe('logs.tail', () => {
  it('gives an admin the gateway’s own lines, the same ones its log got, and a cursor to continue from', async () => {
    const { client } = await wsConnect(t.wsUrl, { headers: as('alice@example.com') });
    try {
      await refuse('first');
      const first = await client.request('logs.tail', { limit: 1000 });
      expect(first).toMatchObject({ ok: true, payload: { missed: 0, following: false } });
      const lines = first.payload.lines as Array<{ seq: number; level: string; msg: string; fields: Record<string, unknown> }>;
      const rejected = lines.find((l) => l.msg === 'request rejected');
      expect(rejected).toMatchObject({ level: 'warn', fields: { event: 'auth_rejected', reason: 'trusted_proxy_untrusted_source', peer: '127.0.0.2', path: '/api/status' } });
      // The ring holds what stderr got, line for line.
      expect(stderr.trim().split('\n').length).toBe(lines.length);
      expect(first.payload.cursor).toBe(lines.at(-1)!.seq);

      const none = await client.request('logs.tail', { cursor: first.payload.cursor });
      expect(none.payload).toMatchObject({ lines: [], cursor: first.payload.cursor });
      await refuse('second');
      const next = await client.request('logs.tail', { cursor: first.payload.cursor });
      expect(next.payload.lines.map((l: { seq: number }) => l.seq)).toEqual([first.payload.cursor + 1]);
    } finally {
      client.close();
    }
  });

  it('refuses a session without operator.admin before reading anything', async () => {
    const { client } = await wsConnect(t.wsUrl, { headers: as('bob@example.com') });
    try {
      expect(await client.request('logs.tail', { follow: true })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', reason: 'scope_missing' } });
      expect(t.gw.ctx.logs.followers.size).toBe(0);
    } finally {
      client.close();
    }
  });

  it('refuses bad params naming the field', async () => {
    const { client } = await wsConnect(t.wsUrl, { headers: as('alice@example.com') });
    try {
      expect(await client.request('logs.tail', { limit: 5000 })).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS', message: expect.stringContaining('at limit') } });
      expect(await client.request('logs.tail', { cursor: -1 })).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS', message: expect.stringContaining('at cursor') } });
    } finally {
      client.close();
    }
  });

  it('follow: new lines come as logs.line events; following ends with follow:false, with the session, and when a reload takes admin away', async () => {
    const alice = await wsConnect(t.wsUrl, { headers: as('alice@example.com') });
    const carol = await wsConnect(t.wsUrl, { headers: as('carol@example.com') });
    try {
      const tail = await alice.client.request('logs.tail', { follow: true, limit: 1 });
      expect(tail.payload.following).toBe(true);
      expect((await carol.client.request('logs.tail', { follow: true, limit: 1 })).payload.following).toBe(true);
      await refuse('followed');
      const ev = await within(alice.client.next((f) => f.event === 'logs.line' && f.payload.lines.some((l: { msg: string }) => l.msg === 'request rejected')), 3000, 'logs.line');
      expect(ev.payload.lines[0].seq).toBeGreaterThan(tail.payload.cursor);
      expect(ev.payload.missed).toBe(0);

      // Unfollow, then follow again.
      expect((await alice.client.request('logs.tail', { follow: false })).payload.following).toBe(false);
      expect(t.gw.ctx.logs.followers.size).toBe(1);
      expect((await alice.client.request('logs.tail', { follow: true })).payload.following).toBe(true);

      // A reload that demotes alice stops her events; carol (still admin) keeps hers.
      await t.rewrite(config(['carol@example.com']));
      await within(alice.client.next((f) => f.event === 'session.updated'), 3000, 'alice demoted');
      expect(t.gw.ctx.logs.followers.has(alice.reply.payload.server.connId)).toBe(false);
      const before = alice.client.events.filter((e) => e.event === 'logs.line').length;
      await refuse('after-demotion');
      await within(carol.client.next((f) => f.event === 'logs.line' && f.payload.lines.some((l: { msg: string }) => l.msg === 'request rejected')), 3000, 'carol logs.line');
      await sleep(300);
      expect(alice.client.events.filter((e) => e.event === 'logs.line').length).toBe(before);

      // A closed session follows no more.
      carol.client.close();
      await waitFor(() => t.gw.ctx.logs.followers.size === 0, 3000, 'follower dropped on close');
    } finally {
      alice.client.close();
      carol.client.close();
      await t.rewrite(config(['alice@example.com', 'carol@example.com']));
    }
  });
});
