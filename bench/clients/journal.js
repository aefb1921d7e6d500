/**
 * Figure 7: the journal, in its own process, on the compiled dist/ and a real database file in
 * WAL mode with the gateway's durability (synchronous NORMAL).
 *
 * - appends: one entry per transaction (each append commits alone, as a config change or a
 *   single refusal does), with the chain (head read, canonical JSON, SHA-256), against a bare
 *   INSERT of the same row with no chain in the same file layout;
 * - verify: builds a journal of `verifyEntries` entries (in batches), then times verifyJournal()
 *   over it on a read-only connection, as `mayros journal verify` opens it.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../../dist/store/open.js';
import { Journal } from '../../dist/journal/journal.js';
import { verifyJournal } from '../../dist/journal/verify.js';
import { openJournalReadOnly } from '../../dist/journal/open.js';
import { AuthAggregator } from '../../dist/journal/aggregate.js';
import { median } from '../lib/stats.js';
import { serve } from '../lib/worker.js';

/** A realistic mix: refusals, admissions, chat runs, a config change now and then. */
function entry(i) {
  switch (i % 4) {
    case 0:
      return { kind: 'auth.refuse', actor: { type: 'claimed', id: `user${i % 997}@example.com` }, payload: { reason: 'trusted_proxy_user_not_allowed', claimedUser: `user${i % 997}@example.com`, surface: 'ws', peer: `10.0.${(i >> 8) & 255}.${i & 255}` } };
    case 1:
      return { kind: 'auth.admit', actor: { type: 'user', id: `user${i % 101}@example.com` }, payload: { user: `user${i % 101}@example.com`, method: 'trusted-proxy', surface: 'http', peer: '127.0.0.1' } };
    case 2:
      return { kind: 'chat.run', actor: { type: 'user', id: `user${i % 101}@example.com` }, payload: { runId: `run-${i}`, sessionKey: `s${i % 53}`, model: 'local/llama3.2', state: 'final', usage: { prompt: 120 + (i % 50), completion: 300 + (i % 70) } } };
    default:
      return { kind: 'config.patch', actor: { type: 'user', id: 'admin@example.com' }, payload: { paths: ['gateway.auth.trustedProxy.allowUsers'], before: { 'gateway.auth.trustedProxy.allowUsers': ['a@example.com'] }, after: { 'gateway.auth.trustedProxy.allowUsers': ['a@example.com', `u${i}@example.com`] }, baseHash: 'b'.repeat(64), hash: 'c'.repeat(64) } };
  }
}

function freshDb(dir, name) {
  const file = join(dir, name, 'mayros.db');
  rmSync(join(dir, name), { recursive: true, force: true });
  mkdirSync(join(dir, name), { recursive: true });
  return { file, ...openStore(file) };
}

/**
 * Runs `fn` and returns its wall time and the CPU time this process spent (user + system, which
 * includes the write() calls of each commit), in ms. On a shared machine wall time also counts the
 * moments another process held the core; CPU time is what the work itself costs.
 */
function timed(fn) {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  fn();
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / 1000 };
}

/** Entries per second appending one per transaction, with the chain and without it. */
function appends(o) {
  const chained = [];
  const bare = [];
  const chainedWall = [];
  const bareWall = [];
  // One unmeasured round warms the JIT and the file system for both.
  for (let round = -1; round < o.rounds; round++) {
    {
      const { db, file } = freshDb(o.dir, 'chained');
      const journal = new Journal(db, file);
      const t = timed(() => {
        for (let i = 0; i < o.appends; i++) journal.append(entry(i));
      });
      if (round >= 0) chained.push(o.appends / (t.cpu / 1000)), chainedWall.push(o.appends / (t.wall / 1000));
      db.close();
    }
    {
      // The same row, inserted with no head read, no canonical form and no hash: what a plain log table costs.
      const { db } = freshDb(o.dir, 'bare');
      const insert = db.prepare('INSERT INTO journal (seq, time, actor_type, actor, kind, payload, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
      const zeros = '0'.repeat(64);
      const t = timed(() => {
        for (let i = 0; i < o.appends; i++) {
          const e = entry(i);
          insert.run(i + 1, Date.now(), e.actor.type, e.actor.id ?? null, e.kind, JSON.stringify(e.payload), zeros, zeros);
        }
      });
      if (round >= 0) bare.push(o.appends / (t.cpu / 1000)), bareWall.push(o.appends / (t.wall / 1000));
      db.close();
    }
  }
  return { chainedPerSec: median(chained), barePerSec: median(bare), chainedWallPerSec: median(chainedWall), bareWallPerSec: median(bareWall), chained, bare, chainedWall, bareWall };
}

/** Milliseconds for verifyJournal over `verifyEntries` entries, read-only. */
function verify(o) {
  const { db, file } = freshDb(o.dir, 'verify');
  const journal = new Journal(db, file);
  const batch = [];
  for (let i = 0; i < o.verifyEntries; i++) {
    batch.push(entry(i));
    if (batch.length === 1000 || i === o.verifyEntries - 1) journal.appendMany(batch.splice(0));
  }
  db.close();
  const samples = [];
  const wallSamples = [];
  let result;
  for (let round = -1; round < o.rounds; round++) {
    const t = timed(() => {
      const ro = openJournalReadOnly(file);
      result = verifyJournal(ro);
      ro.close();
    });
    if (round >= 0) samples.push(t.cpu), wallSamples.push(t.wall);
  }
  if (!result.ok || result.entries !== o.verifyEntries) throw new Error(`verify over the benchmark journal failed: ${JSON.stringify(result)}`);
  // Bare baseline: reading the same rows with no hashing, to show what the chain check adds.
  const readSamples = [];
  for (let round = -1; round < o.rounds; round++) {
    let n = 0;
    const t = timed(() => {
      const ro = new Database(file, { readonly: true });
      for (const _ of ro.prepare('SELECT seq, time, actor_type, actor, kind, payload, prev, hash FROM journal ORDER BY seq').raw(true).iterate()) n++;
      ro.close();
    });
    if (n !== o.verifyEntries) throw new Error('read baseline saw the wrong number of rows');
    if (round >= 0) readSamples.push(t.cpu);
  }
  return { verifyMs: median(samples), verifyWallMs: median(wallSamples), readMs: median(readSamples), samples, wallSamples, readSamples, file };
}

/**
 * CPU ns per admission when it is only counted: what the journal adds to every admitted request
 * once the first admission of each person in the window has been written. 64 people cycled over
 * 4 peers, the window never flushed (the worst case for the counters: every group is live).
 */
function admit(o) {
  const agg = new AuthAggregator({ windowMs: 60_000, admissionsPerMinute: 600, refusalsPerMinute: 60 }, 0);
  const users = Array.from({ length: 64 }, (_, i) => `user${i}@example.com`);
  const peers = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'];
  const events = users.map((user, i) => ({ user, method: 'trusted-proxy', surface: 'http', peer: peers[i % 4], time: 1 }));
  for (const e of events) agg.admit(e);
  const samples = [];
  for (let round = -1; round < o.rounds; round++) {
    const t = timed(() => {
      for (let i = 0; i < o.admits; i++) {
        const e = events[i & 63];
        if (agg.admitValues(e.user, e.method, e.peer, e.surface, e.time) !== undefined) throw new Error('a counted admission was written');
      }
    });
    if (round >= 0) samples.push((t.cpu * 1e6) / o.admits);
  }
  return { nsPerAdmit: median(samples), samples };
}

serve({
  admit: (msg) => admit(msg),
  appends: (msg) => appends(msg),
  verify: (msg) => verify(msg),
});
