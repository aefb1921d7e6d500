/**
 * The journal as a running gateway writes it (src/gateway/journal.ts and its wiring): sign-in
 * decisions over HTTP and WebSocket at the place each is settled (admissions aggregated, refusals
 * with the claimed identity and the reason, a flood summarised), reloads with their source and
 * result, retention applied live, the journal.list method, and no journal without a database.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Journal } from '../../src/journal/journal.js';
import type { JournalRecorder } from '../../src/journal/recorder.js';
import { verifyJournal } from '../../src/journal/verify.js';
import { NO_JOURNAL } from '../../src/journal/sink.js';
import { replaceFile } from '../support/config-file.js';
import { startTestGateway, type TestGateway } from '../support/gateway-inproc.js';
import { httpRequest } from '../support/http-client.js';
import { sampleEntry } from '../support/journal-db.js';
import { waitFor } from '../support/wait.js';
import { wsAttempt, wsConnect } from '../support/ws-client.js';

const gatewaySection = (allowUsers = ['alice@example.com', 'admin@example.com', 'viewer@example.com']) => ({
  port: 0,
  trustedProxies: ['127.0.0.1'],
  auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-user', allowUsers } },
  authorization: { rules: [{ users: ['admin@example.com'], scopes: ['operator.admin'] }] },
});

interface Row {
  seq: number;
  kind: string;
  actor_type: string;
  actor: string | null;
  payload: any;
}

let t: TestGateway;
const db = () => {
  const d = t.gw.ctx.database;
  if (d.state !== 'open') throw new Error(`database ${d.state}`);
  return d.db;
};
const recorder = () => t.gw.ctx.journal as JournalRecorder;
const head = () => (db().prepare('SELECT max(seq) AS s FROM journal').get() as { s: number | null }).s ?? 0;
/** Entries written after seq `from`, oldest first, payloads parsed. */
const since = (from: number): Row[] =>
  (db().prepare('SELECT seq, kind, actor_type, actor, payload FROM journal WHERE seq > ? ORDER BY seq').all(from) as Row[]).map((r) => ({ ...r, payload: JSON.parse(r.payload) }));
const whoami = (user: string | undefined, localAddress = '127.0.0.1') => httpRequest(`${t.url}/api/whoami`, { headers: user === undefined ? {} : { 'x-user': user }, localAddress });

let mark = 0;
beforeAll(async () => {
  t = await startTestGateway(gatewaySection(), { watchConfig: true, watchDebounceMs: 50 });
});
afterAll(() => t?.stop());
beforeEach(() => {
  // Each case starts a new aggregation window and reads only what it wrote.
  recorder().flush();
  mark = head();
});

describe('the journal of a running gateway', () => {
  it('is on when the database is open, and says so in the log', () => {
    expect(t.gw.ctx.journal.enabled).toBe(true);
    expect(t.logs.find((l) => l.event === 'journal_started')).toMatchObject({ file: join(t.dir, 'mayros.db') });
  });

  it('aggregates admissions: the first of a person in a window at once, the rest as one summary, over HTTP and WebSocket', async () => {
    for (let i = 0; i < 40; i++) expect((await whoami('alice@example.com')).status).toBe(200);
    const { client, reply } = await wsConnect(t.wsUrl, { headers: { 'x-user': 'alice@example.com' } });
    expect(reply.ok).toBe(true);
    client.close();
    const now = since(mark);
    expect(now.map((r) => r.kind)).toEqual(['auth.admit']);
    expect(now[0]).toMatchObject({ actor_type: 'user', actor: 'alice@example.com', payload: { user: 'alice@example.com', method: 'trusted-proxy', surface: 'http', peer: '127.0.0.1' } });
    recorder().flush();
    const all = since(mark);
    expect(all.map((r) => r.kind)).toEqual(['auth.admit', 'auth.admit.aggregate']);
    expect(all[1]!.payload.groups).toEqual([expect.objectContaining({ user: 'alice@example.com', method: 'trusted-proxy', count: 40, peers: ['127.0.0.1'], surfaces: { http: 39, ws: 1 } })]);
  });

  it('records refusals with the claimed identity, the peer and the reason code, over HTTP and WebSocket', async () => {
    expect((await whoami('mallory@example.com')).status).toBe(403);
    const ws = await wsAttempt(t.wsUrl, { headers: { 'x-user': 'alice@example.com' }, localAddress: '127.0.0.2' });
    expect(ws).toMatchObject({ kind: 'closed', reason: 'trusted_proxy_untrusted_source' });
    expect((await whoami(undefined)).status).toBe(401);
    const rows = since(mark);
    expect(rows.map((r) => [r.kind, r.actor_type, r.actor, r.payload.reason, r.payload.peer, r.payload.surface])).toEqual([
      ['auth.refuse', 'claimed', 'mallory@example.com', 'trusted_proxy_user_not_allowed', '127.0.0.1', 'http'],
      // A header from a peer that is not a proxy names no one the journal could attribute.
      ['auth.refuse', 'anonymous', null, 'trusted_proxy_untrusted_source', '127.0.0.2', 'ws'],
      ['auth.refuse', 'anonymous', null, 'trusted_proxy_user_missing', '127.0.0.1', 'http'],
    ]);
    expect(rows[0]!.payload.claimedUser).toBe('mallory@example.com');
  });

  it('records refusals made before the auth decision too (a Host the gateway does not serve)', async () => {
    const r = await httpRequest(`${t.url}/api/whoami`, { headers: { host: 'evil.example', 'x-user': 'alice@example.com' } });
    expect(r.status).toBe(421);
    expect(since(mark)).toEqual([expect.objectContaining({ kind: 'auth.refuse', payload: expect.objectContaining({ reason: 'host_not_allowed', detail: 'evil.example', surface: 'http' }) })]);
  });

  it('records every reload with its source and result: api, the file watcher, rejected, unchanged', async () => {
    expect(await t.rewrite(gatewaySection(['alice@example.com', 'admin@example.com', 'viewer@example.com', 'carol@example.com']))).toMatchObject({ status: 'applied' });
    expect(await t.gw.reload('api')).toMatchObject({ status: 'unchanged' });
    const bad = gatewaySection();
    (bad as any).trustedProxies = ['proxy.local'];
    replaceFile(t.file, JSON.stringify({ gateway: bad }));
    expect(await t.gw.reload('SIGHUP')).toMatchObject({ status: 'rejected' });
    // The watcher sees the file put back and reloads on its own.
    replaceFile(t.file, JSON.stringify({ gateway: gatewaySection() }));
    await waitFor(() => since(mark).some((r) => r.kind === 'reload' && r.payload.source === 'file' && r.payload.result === 'applied'), 5000, 'a reload from the file watcher');
    const reloads = since(mark).filter((r) => r.kind === 'reload');
    expect(reloads.every((r) => r.actor_type === 'system')).toBe(true);
    expect(reloads.map((r) => [r.payload.source, r.payload.result])).toEqual(
      // The watcher may also have seen the first edits (each a rename): keep the order of what was asked.
      expect.arrayContaining([
        ['api', 'applied'],
        ['api', 'unchanged'],
        ['SIGHUP', 'rejected'],
        ['file', 'applied'],
      ]),
    );
    const applied = reloads.find((r) => r.payload.source === 'api' && r.payload.result === 'applied')!;
    expect(applied.payload).toMatchObject({ generation: expect.any(Number), paths: ['gateway.auth.trustedProxy.allowUsers'] });
    const rejected = reloads.find((r) => r.payload.result === 'rejected')!;
    expect(rejected.payload.paths).toContain('gateway.trustedProxies[0]');
    expect(rejected.payload.error).toContain('gateway.trustedProxies[0]');
  });

  describe('journal.list', () => {
    it('lists entries newest first, filtered by user, kind and time, one page at a time', async () => {
      for (const u of ['alice@example.com', 'viewer@example.com']) expect((await whoami(u)).status).toBe(200);
      expect((await whoami('mallory@example.com')).status).toBe(403);
      const { client, reply } = await wsConnect(t.wsUrl, { headers: { 'x-user': 'admin@example.com' } });
      expect(reply.payload.scopes).toContain('operator.admin');
      try {
        const all = await client.request('journal.list', { limit: 1000 });
        expect(all.ok).toBe(true);
        const seqs = all.payload.entries.map((e: any) => e.seq);
        expect(seqs).toEqual([...seqs].sort((a: number, b: number) => b - a));
        expect(all.payload.entries[0]).toMatchObject({ kind: 'auth.admit', actor: { type: 'user', id: 'admin@example.com' }, payload: { method: 'trusted-proxy', surface: 'ws' }, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });

        const viewer = await client.request('journal.list', { user: 'viewer@example.com', kind: 'auth.admit' });
        expect(viewer.payload.entries.map((e: any) => [e.kind, e.actor])).toEqual([['auth.admit', { type: 'user', id: 'viewer@example.com' }]]);
        const mallory = await client.request('journal.list', { user: 'mallory@example.com', kind: ['auth.refuse', 'auth.refuse.aggregate'] });
        expect(mallory.payload.entries[0]).toMatchObject({ actor: { type: 'claimed', id: 'mallory@example.com' }, payload: { reason: 'trusted_proxy_user_not_allowed' } });

        const newest = all.payload.entries[0].time;
        const recent = await client.request('journal.list', { since: newest });
        expect(recent.payload.entries.length).toBeGreaterThan(0);
        expect(recent.payload.entries.every((e: any) => e.time >= newest)).toBe(true);
        expect((await client.request('journal.list', { until: 1 })).payload).toEqual({ entries: [] });

        // Paging: two entries a page, the cursor continuing below the last seq of the page before.
        const p1 = await client.request('journal.list', { limit: 2 });
        const p2 = await client.request('journal.list', { limit: 2, cursor: p1.payload.nextCursor });
        expect([...p1.payload.entries, ...p2.payload.entries].map((e: any) => e.seq)).toEqual(seqs.slice(0, 4));

        const bad = await client.request('journal.list', { kind: 'config.edit' });
        expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS', message: expect.stringContaining('at kind') } });
        expect(await client.request('journal.list', { since: '1h' })).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS', message: expect.stringContaining('since must be milliseconds') } });
      } finally {
        client.close();
      }
    });

    it('is refused with scope_missing to a session without operator.admin', async () => {
      const { client, reply } = await wsConnect(t.wsUrl, { headers: { 'x-user': 'viewer@example.com' } });
      expect(reply.payload.scopes).not.toContain('operator.admin');
      try {
        expect(await client.request('journal.list', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', reason: 'scope_missing', message: 'journal.list needs operator.admin; you have operator.read, operator.write' } });
      } finally {
        client.close();
      }
    });
  });

  it('does not write per request under a flood of refusals: at most the per-minute budget, then one summary counting all', async () => {
    const N = 300;
    for (let i = 0; i < N; i += 50) {
      const batch = Array.from({ length: 50 }, (_, j) => whoami(`flood${i + j}@example.com`));
      for (const r of await Promise.all(batch)) expect(r.status).toBe(403);
    }
    const during = since(mark);
    // refusalsPerMinute defaults to 60.
    expect(during.length).toBeLessThanOrEqual(60);
    expect(during.every((r) => r.kind === 'auth.refuse')).toBe(true);
    recorder().flush();
    const after = since(mark);
    const summaries = after.filter((r) => r.kind === 'auth.refuse.aggregate');
    expect(summaries).toHaveLength(1);
    expect(summaries[0]!.actor_type).toBe('system');
    const summarised = summaries[0]!.payload.groups.reduce((n: number, g: any) => n + g.count, 0) + summaries[0]!.payload.omitted.count;
    expect(during.length + summarised).toBe(N);
    expect(verifyJournal(db())).toMatchObject({ ok: true });
  });
});

describe('retention in a running gateway', () => {
  it('applies a lower maxEntries from a reload at once, under an anchor that verify accepts', async () => {
    const g = await startTestGateway(gatewaySection());
    try {
      const d = g.gw.ctx.database;
      if (d.state !== 'open') throw new Error('no database');
      const writer = new Journal(d.db, d.file);
      writer.appendMany(Array.from({ length: 1500 }, (_, i) => sampleEntry(i)));
      const count = () => (d.db.prepare('SELECT count(*) AS n FROM journal').get() as { n: number }).n;
      expect(count()).toBe(1500);
      replaceFile(g.file, JSON.stringify({ gateway: gatewaySection(), journal: { maxEntries: 1000 } }));
      expect(await g.gw.reload('api')).toMatchObject({ status: 'applied', changed: ['journal.maxEntries'] });
      // 1,000 kept (the anchor among them), then the reload's own entry.
      await waitFor(() => count() === 1001, 5000, 'retention to run');
      expect(d.db.prepare('SELECT kind FROM journal ORDER BY seq DESC LIMIT 1').get()).toEqual({ kind: 'reload' });
      expect(verifyJournal(d.db)).toMatchObject({ ok: true, anchor: expect.objectContaining({ throughSeq: expect.any(Number) }) });
      expect(d.db.prepare(`SELECT count(*) AS n FROM journal WHERE kind = 'journal.prune'`).get()).toEqual({ n: 1 });
    } finally {
      await g.stop();
    }
  });
});

describe('without a database', () => {
  it('keeps NO_JOURNAL, says so in the log, and journal.list answers why', async () => {
    // A directory where the database file should be: it cannot be opened.
    const g = await startTestGateway(gatewaySection(), {}, (dir) => mkdirSync(join(dir, 'mayros.db')));
    try {
      expect(g.gw.ctx.journal).toBe(NO_JOURNAL);
      expect(g.logs.find((l) => l.event === 'journal_off')).toMatchObject({ why: expect.stringContaining('the database is unavailable') });
      expect((await httpRequest(`${g.url}/api/whoami`, { headers: { 'x-user': 'alice@example.com' } })).status).toBe(200);
      const { client } = await wsConnect(g.wsUrl, { headers: { 'x-user': 'admin@example.com' } });
      const r = await client.request('journal.list');
      client.close();
      expect(r).toMatchObject({ ok: true, payload: { entries: [], unavailable: { reason: expect.stringMatching(/^store_/), message: expect.any(String) } } });
      expect((await g.gw.reload('api')).status).toBe('unchanged');
    } finally {
      await g.stop();
    }
  });

  it('an embedder that opens no database gets NO_JOURNAL', async () => {
    const g = await startTestGateway(gatewaySection(), { database: false });
    try {
      expect(g.gw.ctx.journal).toBe(NO_JOURNAL);
      expect(g.logs.find((l) => l.event === 'journal_off')).toMatchObject({ why: 'the embedder opened no database' });
    } finally {
      await g.stop();
    }
  });
});
