import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { fill, memoryJournal, sampleEntry } from '../../test/support/journal-db.js';
import { StoreError } from '../store/errors.js';
import { listJournal } from './list.js';
import { JournalRecorder, PRUNE_INTERVAL_MS, type Timers } from './recorder.js';
import { journalSchema } from '../config/journal-schema.js';
import { verifyJournal } from './verify.js';

/** Timers driven by the test: `fire(ms)` runs the intervals of that period; `drain()` the deferred steps. */
function manualTimers() {
  const intervals = new Map<number, { fn: () => void; ms: number }>();
  const deferred: Array<() => void> = [];
  let id = 0;
  const timers: Timers = {
    setInterval: (fn, ms) => (intervals.set(++id, { fn, ms }), id),
    clearInterval: (h) => void intervals.delete(h as number),
    defer: (fn) => void deferred.push(fn),
  };
  return {
    timers,
    fire: (ms: number) => [...intervals.values()].filter((t) => t.ms === ms).forEach((t) => t.fn()),
    periods: () => [...intervals.values()].map((t) => t.ms).sort((a, b) => a - b),
    drain: () => {
      let n = 0;
      while (deferred.length) (deferred.shift()!(), n++);
      return n;
    },
  };
}

const open: Database.Database[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});
function setup(config: Partial<ReturnType<typeof journalSchema.parse>> = {}) {
  const j = memoryJournal();
  open.push(j.db);
  const t = manualTimers();
  const errors: unknown[] = [];
  const recorder = new JournalRecorder(j.journal, journalSchema.parse(config), { now: () => j.clock.t, timers: t.timers, onError: (e) => errors.push(e) });
  return { ...j, t, recorder, errors, kinds: () => listJournal(j.db, { limit: 1000 }).entries.map((e) => e.kind).reverse() };
}

describe('JournalRecorder', () => {
  it('writes the first admission at once and the rest as one summary when the window timer fires', () => {
    const { recorder, t, clock, kinds, db } = setup({ aggregateWindowSec: 30 });
    recorder.start();
    expect(t.periods()).toEqual([30_000, PRUNE_INTERVAL_MS]);
    for (let i = 0; i < 5000; i++) recorder.admit('alice@example.com', 'trusted-proxy', '127.0.0.1', 'http');
    expect(kinds()).toEqual(['auth.admit']);
    clock.t += 30_000;
    t.fire(30_000);
    expect(kinds()).toEqual(['auth.admit', 'auth.admit.aggregate']);
    expect(JSON.parse(listJournal(db, { limit: 1 }).entries[0]!.payload)).toMatchObject({ groups: [{ count: 4999 }] });
    expect(verifyJournal(db).ok).toBe(true);
  });

  it('tells onWritten about every entry it wrote (summaries included), and nothing it could not write', () => {
    const j = memoryJournal();
    open.push(j.db);
    const t = manualTimers();
    const written: string[] = [];
    const recorder = new JournalRecorder(j.journal, journalSchema.parse({ aggregateWindowSec: 30 }), { now: () => j.clock.t, timers: t.timers, onWritten: (es) => written.push(...es.map((e) => e.kind)) });
    recorder.start();
    for (let i = 0; i < 3; i++) recorder.admit('alice@example.com', 'trusted-proxy', '127.0.0.1', 'http');
    recorder.record(sampleEntry(0));
    j.clock.t += 30_000;
    t.fire(30_000);
    expect(written).toEqual(['auth.admit', 'config.patch', 'auth.admit.aggregate']);
    j.db.pragma(`max_page_count = ${j.db.pragma('page_count', { simple: true }) as number}`);
    const before = written.length;
    for (let i = 0; i < 200; i++) recorder.refuse('trusted_proxy_user_not_allowed', undefined, `u${i}-${'x'.repeat(300)}`, '127.0.0.2', 'http');
    expect(written.length - before).toBeLessThan(200);
    expect(written.length - before).toBe(listJournal(j.db, { limit: 1000 }).entries.length - 3);
  });

  it('records refusals with their detail and claimed identity, and state-changing actions at once', () => {
    const { recorder, db } = setup();
    recorder.refuse('trusted_proxy_missing_header', 'x-forwarded-proto', 'bob@example.com', '127.0.0.2', 'ws');
    const e = recorder.record(sampleEntry(0));
    expect(e.kind).toBe('config.patch');
    const [patch, refusal] = listJournal(db).entries;
    expect(patch!.seq).toBe(2);
    expect(refusal!.actor).toEqual({ type: 'claimed', id: 'bob@example.com' });
    expect(JSON.parse(refusal!.payload)).toEqual({ reason: 'trusted_proxy_missing_header', detail: 'x-forwarded-proto', claimedUser: 'bob@example.com', surface: 'ws', peer: '127.0.0.2' });
  });

  it('never throws into a request when the disk is full; records how many entries were lost once it can write again', () => {
    const { recorder, db, errors, kinds } = setup();
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    for (let i = 0; i < 400; i++) recorder.refuse('trusted_proxy_user_not_allowed', undefined, `u${i}-${'x'.repeat(200)}`, '127.0.0.2', 'http');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e instanceof StoreError && e.code === 'store_full')).toBe(true);
    db.pragma('max_page_count = 1073741823');
    const before = kinds().length;
    recorder.record(sampleEntry(4));
    const lost = listJournal(db, { kinds: ['journal.lost'] }).entries;
    expect(lost).toHaveLength(1);
    expect(JSON.parse(lost[0]!.payload)).toMatchObject({ count: errors.length, error: 'store_full' });
    expect(kinds().length).toBe(before + 2);
    expect(verifyJournal(db).ok).toBe(true);
  });

  it('runs retention at start and hourly, in batches between which requests are served', () => {
    const { recorder, t, journal, clock, db } = setup({ maxEntries: 1000 });
    fill(journal, clock, 12_000);
    recorder.start();
    // The first batch ran at start; the rest wait for the event loop.
    expect((db.prepare('SELECT count(*) AS n FROM journal').get() as { n: number }).n).toBe(12_001 - 5000);
    expect(t.drain()).toBe(2);
    expect((db.prepare('SELECT count(*) AS n FROM journal').get() as { n: number }).n).toBe(1000);
    fill(journal, clock, 10);
    t.fire(PRUNE_INTERVAL_MS);
    t.drain();
    expect((db.prepare('SELECT count(*) AS n FROM journal').get() as { n: number }).n).toBe(1000);
    expect(verifyJournal(db)).toMatchObject({ ok: true, entries: 1000 });
  });

  it('a reloaded config changes the window timer and the budgets', () => {
    const { recorder, t } = setup({ aggregateWindowSec: 60 });
    recorder.start();
    recorder.setConfig(journalSchema.parse({ aggregateWindowSec: 10 }));
    expect(t.periods()).toEqual([10_000, PRUNE_INTERVAL_MS]);
  });

  it('applies tighter retention limits from a reload at once, not at the next hourly run', () => {
    const { recorder, t, journal, clock, db } = setup({ maxEntries: 10_000 });
    fill(journal, clock, 3000);
    recorder.start();
    expect((db.prepare('SELECT count(*) AS n FROM journal').get() as { n: number }).n).toBe(3000);
    recorder.setConfig(journalSchema.parse({ maxEntries: 10_000, aggregateWindowSec: 30 }));
    expect((db.prepare('SELECT count(*) AS n FROM journal').get() as { n: number }).n).toBe(3000);
    recorder.setConfig(journalSchema.parse({ maxEntries: 1000, aggregateWindowSec: 30 }));
    t.drain();
    expect((db.prepare('SELECT count(*) AS n FROM journal').get() as { n: number }).n).toBe(1000);
    expect(verifyJournal(db)).toMatchObject({ ok: true, entries: 1000 });
  });

  it('close flushes what was counted and stops the timers', () => {
    const { recorder, t, kinds } = setup();
    recorder.start();
    recorder.refuse('token_mismatch', undefined, null, '127.0.0.2', 'http');
    recorder.refuse('token_mismatch', undefined, null, '127.0.0.2', 'http');
    recorder.close();
    expect(kinds()).toEqual(['auth.refuse', 'auth.refuse.aggregate']);
    expect(t.periods()).toEqual([]);
    recorder.refuse('token_mismatch', undefined, null, '127.0.0.3', 'http');
    expect(kinds()).toHaveLength(2);
  });
});
