import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type Database from 'better-sqlite3';
import { fill, memoryJournal, sampleEntry } from '../../test/support/journal-db.js';
import { StoreError } from '../store/errors.js';
import { canonicalJson } from './canonical.js';
import { JournalSecretError } from './guard.js';
import { Journal, JournalPayloadError } from './journal.js';
import { GENESIS, type JournalPrunePayload } from './types.js';
import { verifyJournal } from './verify.js';

const open: Database.Database[] = [];
function setup(start?: number) {
  const j = memoryJournal(start);
  open.push(j.db);
  return j;
}
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});
const DAY = 86_400_000;
const count = (db: Database.Database): number => (db.prepare('SELECT count(*) AS n FROM journal').get() as { n: number }).n;

describe('Journal.append', () => {
  it('chains each entry to the one before, hashing prev + the canonical JSON of its fields', () => {
    const { journal } = setup();
    const a = journal.append(sampleEntry(0));
    const b = journal.append(sampleEntry(1));
    expect(a.seq).toBe(1);
    expect(a.prev).toBe(GENESIS);
    expect(b.seq).toBe(2);
    expect(b.prev).toBe(a.hash);
    // Recomputed independently, from the documented definition.
    for (const e of [a, b]) {
      const fields = { actor: 'id' in e.actor ? e.actor.id : null, actorType: e.actor.type, kind: e.kind, payload: JSON.parse(e.payload) as unknown, seq: e.seq, time: e.time };
      expect(e.hash).toBe(createHash('sha256').update(`${e.prev}\n${canonicalJson(fields)}`).digest('hex'));
    }
  });

  it('stores the payload as canonical JSON, whatever order the caller built it in', () => {
    const { journal } = setup();
    const e = journal.append({ kind: 'reload', actor: { type: 'system' }, payload: { result: 'applied', source: 'SIGHUP', generation: 3 } });
    expect(e.payload).toBe('{"generation":3,"result":"applied","source":"SIGHUP"}');
  });

  it('appends many in one transaction, or none when one of them is refused', () => {
    const { db, journal } = setup();
    journal.appendMany([sampleEntry(0), sampleEntry(1)]);
    expect(() => journal.appendMany([sampleEntry(2), { kind: 'reload', actor: { type: 'system' }, payload: { source: 'file', result: 'applied', error: 'x', token: 'leak' } as never }])).toThrow(JournalSecretError);
    expect(count(db)).toBe(2);
    expect(verifyJournal(db).ok).toBe(true);
  });

  it.each([
    ['an unknown kind', { kind: 'config.delete', actor: { type: 'system' }, payload: {} }, /not one of the known kinds/],
    ['a payload that is not JSON', { kind: 'reload', actor: { type: 'system' }, payload: { source: 'file', result: 'applied', generation: Number.NaN } }, /generation: NaN/],
    ['an oversized payload', { kind: 'reload', actor: { type: 'system' }, payload: { source: 'file', result: 'applied', paths: ['x'.repeat(70_000)] } }, /more than 65536/],
    ['a time that is not ms since the epoch', { kind: 'reload', actor: { type: 'system' }, time: 1.5, payload: { source: 'file', result: 'applied' } }, /journal time 1.5/],
  ])('refuses %s and writes nothing', (_name, input, message) => {
    const { db, journal } = setup();
    expect(() => journal.append(input as never)).toThrow(message);
    expect(count(db)).toBe(0);
  });

  it('a claimed identity spelled "system" stays a claimed actor, with its own hash', () => {
    const { journal } = setup();
    const claimed = journal.append({ kind: 'auth.refuse', actor: { type: 'claimed', id: 'system' }, payload: { reason: 'trusted_proxy_user_not_allowed', claimedUser: 'system', surface: 'http', peer: '127.0.0.2' } });
    expect(claimed.actor).toEqual({ type: 'claimed', id: 'system' });
  });

  it('two writers on one database never fork the chain: each append reads the newest entry in its transaction', () => {
    const { db, journal, clock } = setup();
    const other = new Journal(db, ':memory:', { now: () => clock.t });
    for (let i = 0; i < 10; i++) (i % 2 ? journal : other).append(sampleEntry(i));
    expect(verifyJournal(db)).toMatchObject({ ok: true, entries: 10 });
  });

  it('turns a storage failure into a StoreError naming the file', () => {
    const { db, journal } = setup();
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    const err = (() => {
      try {
        for (let i = 0; i < 1000; i++) journal.append(sampleEntry(i));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('store_full');
    expect(verifyJournal(db).ok).toBe(true);
  });
});

describe('the journal table', () => {
  it('refuses UPDATE of any entry, and DELETE outside retention', () => {
    const { db, journal, clock } = setup();
    fill(journal, clock, 3);
    expect(() => db.prepare('UPDATE journal SET actor = ? WHERE seq = 2').run('someone-else')).toThrow('journal entries are never changed');
    expect(() => db.prepare('DELETE FROM journal WHERE seq = 1').run()).toThrow('removed only by retention');
    expect(() => db.prepare('DELETE FROM journal').run()).toThrow('removed only by retention');
    expect(count(db)).toBe(3);
  });

  it('a leftover permit allows deleting only entries at or below it, from the old end', () => {
    const { db, journal, clock } = setup();
    fill(journal, clock, 5);
    db.prepare('INSERT INTO journal_prune_permit (through_seq) VALUES (2)').run();
    expect(() => db.prepare('DELETE FROM journal WHERE seq = 4').run()).toThrow('removed only by retention');
    db.prepare('DELETE FROM journal WHERE seq <= 2').run();
    expect(count(db)).toBe(3);
  });

  it('remembers the highest seq written (sqlite_sequence), which verify uses to see deleted newest entries', () => {
    const { db, journal, clock } = setup();
    fill(journal, clock, 4);
    expect(db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'journal'`).get()).toEqual({ seq: 4 });
  });
});

describe('Journal.prune', () => {
  it('by count: writes an anchor naming the newest entry removed, then removes the oldest, keeping maxEntries in all', () => {
    const { db, journal, clock } = setup();
    fill(journal, clock, 20);
    const h11 = (db.prepare('SELECT hash FROM journal WHERE seq = 11').get() as { hash: string }).hash;
    const r = journal.prune({ retentionDays: 365, maxEntries: 10 });
    expect(r).toMatchObject({ deleted: 11, remaining: 0 });
    expect(r.anchor?.seq).toBe(21);
    expect(JSON.parse(r.anchor!.payload)).toEqual({ throughSeq: 11, throughHash: h11, count: 11, rule: 'count' } satisfies JournalPrunePayload);
    expect(count(db)).toBe(10);
    expect(verifyJournal(db)).toMatchObject({ ok: true, entries: 10, first: 12, head: { seq: 21 } });
    // Nothing more to do: no second anchor.
    expect(journal.prune({ retentionDays: 365, maxEntries: 10 })).toEqual({ deleted: 0, remaining: 0 });
  });

  it('by age: removes the run of entries older than retentionDays', () => {
    const { db, journal, clock } = setup();
    fill(journal, clock, 5);
    clock.t += 10 * DAY;
    fill(journal, clock, 5, 5);
    const r = journal.prune({ retentionDays: 7, maxEntries: 1000 });
    expect(r.deleted).toBe(5);
    expect(JSON.parse(r.anchor!.payload)).toMatchObject({ throughSeq: 5, rule: 'age' });
    expect(verifyJournal(db)).toMatchObject({ ok: true, entries: 6, first: 6 });
  });

  it('deletes in batches; an interrupted prune resumes under its anchor and verify passes at every step', () => {
    const { db, journal, clock } = setup();
    fill(journal, clock, 50);
    const first = journal.prune({ retentionDays: 365, maxEntries: 10 }, 15);
    expect(first).toMatchObject({ deleted: 15, remaining: 26 });
    expect(verifyJournal(db)).toMatchObject({ ok: true, first: 16 });
    const second = journal.prune({ retentionDays: 365, maxEntries: 10 }, 15);
    expect(second.anchor).toBeUndefined();
    expect(second).toMatchObject({ deleted: 15, remaining: 11 });
    expect(verifyJournal(db).ok).toBe(true);
    expect(journal.prune({ retentionDays: 365, maxEntries: 10 }, 15)).toMatchObject({ deleted: 11, remaining: 0 });
    expect(verifyJournal(db)).toMatchObject({ ok: true, entries: 10, first: 42 });
  });

  it('prunes again and again: each anchor covers the one before, and the chain stays whole', () => {
    const { db, journal, clock } = setup();
    for (let round = 0; round < 5; round++) {
      fill(journal, clock, 12, round * 12);
      journal.prune({ retentionDays: 365, maxEntries: 8 });
      expect(verifyJournal(db)).toMatchObject({ ok: true, entries: 8 });
    }
  });

  it('does nothing to an empty or small journal', () => {
    const { db, journal, clock } = setup();
    expect(journal.prune({ retentionDays: 1, maxEntries: 10 })).toEqual({ deleted: 0, remaining: 0 });
    fill(journal, clock, 3);
    expect(journal.prune({ retentionDays: 1, maxEntries: 10 })).toEqual({ deleted: 0, remaining: 0 });
    expect(count(db)).toBe(3);
  });
});
