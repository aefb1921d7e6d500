import fc from 'fast-check';
import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { dropTriggers, fill, memoryJournal, sampleEntry } from '../../test/support/journal-db.js';
import { entryHash } from './hash.js';
import { GENESIS, type JournalPrunePayload } from './types.js';
import { describeFailure, verifyJournal, verifyRows, type VerifyFailure, type VerifyResult } from './verify.js';
import type { JournalRow } from './list.js';

const open: Database.Database[] = [];
function setup() {
  const j = memoryJournal();
  open.push(j.db);
  dropTriggers(j.db);
  return j;
}
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

type Row = JournalRow;
const rowsOf = (db: Database.Database): Row[] => db.prepare('SELECT * FROM journal ORDER BY seq').all() as Row[];
const failureOf = (r: VerifyResult): VerifyFailure => {
  if (r.ok) throw new Error('verify passed a tampered journal');
  return r.failure;
};
const flip = (hex: string): string => (hex[0] === 'a' ? 'b' : 'a') + hex.slice(1);
/** Recomputes a row's hash after its content changed, as an attacker who knows the scheme would. */
function rehash(db: Database.Database, seq: number): void {
  const r = db.prepare('SELECT * FROM journal WHERE seq = ?').get(seq) as Row;
  const hash = entryHash(r.prev, { seq: r.seq, time: r.time, actorType: r.actor_type, actor: r.actor, kind: r.kind, payload: r.payload });
  db.prepare('UPDATE journal SET hash = ? WHERE seq = ?').run(hash, seq);
}

describe('verifyJournal', () => {
  it('passes an intact journal and an empty one, giving the head to keep elsewhere', () => {
    const { db, journal, clock } = setup();
    expect(verifyJournal(db)).toEqual({ ok: true, entries: 0, first: undefined, head: undefined, anchor: undefined });
    fill(journal, clock, 30);
    const head = journal.head()!;
    expect(verifyJournal(db)).toEqual({ ok: true, entries: 30, first: 1, head, anchor: undefined });
  });

  it('an edited payload: the entry does not match its hash', () => {
    const { db, journal, clock } = setup();
    fill(journal, clock, 10);
    db.prepare(`UPDATE journal SET payload = replace(payload, 'u0@', 'evil@') WHERE seq = 1`).run();
    const f = failureOf(verifyJournal(db));
    expect(f).toMatchObject({ problem: 'hash_mismatch', seq: 1 });
    expect(describeFailure(f)).toBe('entry 1 does not match its hash: its content was changed after it was written');
  });

  it.each(['time', 'actor_type', 'actor', 'kind'])('an edited %s is seen', (column) => {
    const { db, journal, clock } = setup();
    fill(journal, clock, 10);
    const value = column === 'time' ? 5 : column === 'actor_type' ? 'user' : column === 'actor' ? 'someone-else' : 'reload';
    // Row 2 is a refusal by a claimed identity: every one of these values differs from it.
    db.prepare(`UPDATE journal SET ${column} = ? WHERE seq = 2`).run(value);
    expect(failureOf(verifyJournal(db))).toMatchObject({ problem: 'hash_mismatch', seq: 2 });
  });

  it('an edited entry whose hash was recomputed: the next entry no longer follows it', () => {
    const { db, journal, clock } = setup();
    fill(journal, clock, 10);
    db.prepare(`UPDATE journal SET actor = 'someone-else' WHERE seq = 4`).run();
    rehash(db, 4);
    const f = failureOf(verifyJournal(db));
    expect(f).toMatchObject({ problem: 'prev_mismatch', seq: 5 });
    expect(describeFailure(f)).toMatch(/^entry 5 does not follow the entry before it/);
  });

  it('a deleted entry in the middle: the gap is named', () => {
    const { db, journal, clock } = setup();
    fill(journal, clock, 10);
    db.prepare('DELETE FROM journal WHERE seq IN (4, 5)').run();
    const f = failureOf(verifyJournal(db));
    expect(f).toEqual({ problem: 'seq_gap', seq: 6, missingFrom: 4, missingTo: 5 });
    expect(describeFailure(f)).toBe('entries 4 to 5 are missing before entry 6: they were deleted');
  });

  it('deleted entries renumbered to close the gap: the chain breaks where they were', () => {
    const { db, journal, clock } = setup();
    fill(journal, clock, 10);
    db.prepare('DELETE FROM journal WHERE seq = 4').run();
    for (let s = 5; s <= 10; s++) db.prepare('UPDATE journal SET seq = ? WHERE seq = ?').run(s - 1, s);
    expect(failureOf(verifyJournal(db))).toMatchObject({ problem: 'prev_mismatch', seq: 4 });
  });

  it('reordered entries (contents swapped between two seqs) are seen', () => {
    const { db, journal, clock } = setup();
    fill(journal, clock, 10);
    const [a, b] = [3, 7].map((s) => db.prepare('SELECT time, actor_type, actor, kind, payload, prev, hash FROM journal WHERE seq = ?').get(s) as Row);
    const put = db.prepare('UPDATE journal SET time = ?, actor_type = ?, actor = ?, kind = ?, payload = ?, prev = ?, hash = ? WHERE seq = ?');
    put.run(b!.time, b!.actor_type, b!.actor, b!.kind, b!.payload, b!.prev, b!.hash, 3);
    put.run(a!.time, a!.actor_type, a!.actor, a!.kind, a!.payload, a!.prev, a!.hash, 7);
    expect(failureOf(verifyJournal(db))).toMatchObject({ seq: 3 });
  });

  it('the first entries deleted without a retention anchor', () => {
    const { db, journal, clock } = setup();
    fill(journal, clock, 10);
    db.prepare('DELETE FROM journal WHERE seq <= 3').run();
    const f = failureOf(verifyJournal(db));
    expect(f).toEqual({ problem: 'start_missing', seq: 4, expectedSeq: 1, anchorSeq: null });
    expect(describeFailure(f)).toBe('the journal starts at entry 4, but nothing records entries 1 to 3 being pruned: they were deleted');
  });

  it('the first entry replaced: it does not start the chain', () => {
    const { db, journal, clock } = setup();
    fill(journal, clock, 3);
    db.prepare('UPDATE journal SET prev = ? WHERE seq = 1').run(flip(GENESIS));
    rehash(db, 1);
    expect(failureOf(verifyJournal(db))).toMatchObject({ problem: 'start_prev_mismatch', seq: 1 });
  });

  it('the newest entries deleted: SQLite remembers they were written', () => {
    const { db, journal, clock } = setup();
    fill(journal, clock, 10);
    db.prepare('DELETE FROM journal WHERE seq >= 9').run();
    const f = failureOf(verifyJournal(db));
    expect(f).toEqual({ problem: 'tail_missing', seq: 9, lastWritten: 10 });
    expect(describeFailure(f)).toBe('entries 9 to 10, the newest written, are missing: they were deleted');
  });

  describe('after retention', () => {
    function pruned() {
      const j = setup();
      fill(j.journal, j.clock, 30);
      j.journal.prune({ retentionDays: 365, maxEntries: 10 });
      expect(verifyJournal(j.db)).toMatchObject({ ok: true, first: 22, anchor: { seq: 31, throughSeq: 21 } });
      return j;
    }

    it('more entries deleted than the anchor records', () => {
      const { db } = pruned();
      db.prepare('DELETE FROM journal WHERE seq <= 23').run();
      const f = failureOf(verifyJournal(db));
      expect(f).toEqual({ problem: 'start_missing', seq: 24, expectedSeq: 22, anchorSeq: 31 });
      expect(describeFailure(f)).toContain('entries 22 to 23 were deleted');
    });

    it('the anchor deleted along with what comes before it', () => {
      const { db, journal, clock } = pruned();
      fill(journal, clock, 5, 100);
      db.prepare('DELETE FROM journal WHERE seq <= 31').run();
      expect(failureOf(verifyJournal(db))).toMatchObject({ problem: 'start_missing', seq: 32, anchorSeq: null });
    });

    it('the anchor edited to cover a deletion', () => {
      const { db } = pruned();
      db.prepare('DELETE FROM journal WHERE seq <= 23').run();
      const payload = JSON.parse((db.prepare('SELECT payload FROM journal WHERE seq = 31').get() as Row).payload) as JournalPrunePayload;
      const h23 = (db.prepare('SELECT prev FROM journal WHERE seq = 24').get() as Row).prev;
      db.prepare('UPDATE journal SET payload = ? WHERE seq = 31').run(JSON.stringify({ ...payload, throughSeq: 23, throughHash: h23 }));
      expect(failureOf(verifyJournal(db))).toMatchObject({ problem: 'hash_mismatch', seq: 31 });
    });

    it('the first entry after the anchor replaced', () => {
      const { db } = pruned();
      db.prepare(`UPDATE journal SET actor = 'x' WHERE seq = 22`).run();
      rehash(db, 22);
      expect(failureOf(verifyJournal(db))).toMatchObject({ problem: 'prev_mismatch', seq: 23 });
    });

    it('a prune still deleting (entries below the anchor left) passes; its chain must reach the anchor', () => {
      const { db, journal, clock } = setup();
      fill(journal, clock, 30);
      journal.prune({ retentionDays: 365, maxEntries: 10 }, 5);
      expect(verifyJournal(db)).toMatchObject({ ok: true, first: 6, anchor: { throughSeq: 21 } });
      // Entries 6..21 chain to the anchor's hash: replacing one of them and everything after it up
      // to 21 (rehashing each) still cannot reach the hash the anchor recorded.
      for (let s = 10; s <= 21; s++) {
        if (s === 10) db.prepare(`UPDATE journal SET actor = 'x' WHERE seq = 10`).run();
        else db.prepare('UPDATE journal SET prev = (SELECT hash FROM journal WHERE seq = ?) WHERE seq = ?').run(s - 1, s);
        rehash(db, s);
      }
      expect(failureOf(verifyJournal(db))).toMatchObject({ problem: 'anchor_mismatch', seq: 21, anchorSeq: 31 });
    });
  });

  it('a row with a wrong type is malformed', () => {
    const r = verifyRows([[1, 'noon', 'system', null, 'reload', '{}', GENESIS, 'a'.repeat(64)]], undefined, 1);
    expect(r).toMatchObject({ ok: false, failure: { problem: 'malformed', seq: 1 } });
  });
});

/**
 * Property: whatever was appended and legitimately pruned, the journal verifies; and after any one
 * tampering of an entry retention has not claimed, it does not.
 */
describe('verify, property', () => {
  type Op = { t: 'append'; n: number } | { t: 'prune'; keep: number; batch: number };
  const ops = fc.array(fc.oneof(fc.record({ t: fc.constant('append' as const), n: fc.integer({ min: 1, max: 8 }) }), fc.record({ t: fc.constant('prune' as const), keep: fc.integer({ min: 2, max: 12 }), batch: fc.integer({ min: 1, max: 20 }) })), { minLength: 1, maxLength: 10 });
  type Tamper =
    | { t: 'edit'; column: 'time' | 'actor_type' | 'actor' | 'kind' | 'payload' | 'prev' | 'hash'; pick: number }
    | { t: 'editRehash'; pick: number }
    | { t: 'delete'; pick: number }
    | { t: 'swap'; pick: number; other: number };
  const tamper: fc.Arbitrary<Tamper> = fc.oneof(
    fc.record({ t: fc.constant('edit' as const), column: fc.constantFrom('time', 'actor_type', 'actor', 'kind', 'payload', 'prev', 'hash'), pick: fc.nat() }),
    fc.record({ t: fc.constant('editRehash' as const), pick: fc.nat() }),
    fc.record({ t: fc.constant('delete' as const), pick: fc.nat() }),
    fc.record({ t: fc.constant('swap' as const), pick: fc.nat(), other: fc.nat() }),
  );

  function build(list: Op[]) {
    const j = setup();
    let i = 0;
    for (const op of list) {
      if (op.t === 'append') {
        fill(j.journal, j.clock, op.n, i);
        i += op.n;
      } else j.journal.prune({ retentionDays: 365, maxEntries: op.keep }, op.batch);
    }
    if (i === 0) fill(j.journal, j.clock, 1);
    return j;
  }

  /** Entries retention has not claimed: above the newest anchor's throughSeq. */
  function unclaimed(db: Database.Database): Row[] {
    const anchor = db.prepare(`SELECT payload FROM journal WHERE kind = 'journal.prune' ORDER BY seq DESC LIMIT 1`).get() as Row | undefined;
    const through = anchor ? (JSON.parse(anchor.payload) as JournalPrunePayload).throughSeq : 0;
    return rowsOf(db).filter((r) => r.seq > through);
  }

  it('appends and prunes in any order always verify', () => {
    fc.assert(
      fc.property(ops, (list) => {
        const { db } = build(list);
        expect(verifyJournal(db).ok).toBe(true);
        db.close();
      }),
      { numRuns: 150 },
    );
  });

  it('any one edit, delete or reorder of an entry retention has not claimed is detected', () => {
    fc.assert(
      fc.property(ops, tamper, (list, tp) => {
        const { db } = build(list);
        const rows = unclaimed(db);
        const target = rows[tp.pick % rows.length]!;
        switch (tp.t) {
          case 'edit': {
            const old = target[tp.column];
            const value =
              tp.column === 'time' ? target.time + 1
              : tp.column === 'actor_type' ? (old === 'user' ? 'claimed' : 'user')
              : tp.column === 'actor' ? `${old ?? ''}x`
              : tp.column === 'kind' ? (old === 'reload' ? 'chat.run' : 'reload')
              : tp.column === 'payload' ? target.payload.replace(/}$/, ',"x":1}')
              : flip(String(old));
            db.prepare(`UPDATE journal SET ${tp.column} = ? WHERE seq = ?`).run(value, target.seq);
            break;
          }
          case 'editRehash': {
            // Rewriting the newest entry with a valid hash is a rewrite of the chain's end,
            // which no chain can see without a copy of its head kept elsewhere (docs/journal.md).
            fc.pre(target.seq !== rows[rows.length - 1]!.seq);
            db.prepare(`UPDATE journal SET payload = ? WHERE seq = ?`).run(target.payload.replace(/}$/, ',"x":1}'), target.seq);
            rehash(db, target.seq);
            break;
          }
          case 'delete':
            db.prepare('DELETE FROM journal WHERE seq = ?').run(target.seq);
            break;
          case 'swap': {
            const other = rows[tp.other % rows.length]!;
            fc.pre(other.seq !== target.seq && (other.payload !== target.payload || other.kind !== target.kind || other.actor !== target.actor));
            const put = db.prepare('UPDATE journal SET time = ?, actor_type = ?, actor = ?, kind = ?, payload = ?, prev = ?, hash = ? WHERE seq = ?');
            put.run(other.time, other.actor_type, other.actor, other.kind, other.payload, other.prev, other.hash, target.seq);
            put.run(target.time, target.actor_type, target.actor, target.kind, target.payload, target.prev, target.hash, other.seq);
            break;
          }
        }
        const r = verifyJournal(db);
        db.close();
        expect(r.ok).toBe(false);
      }),
      { numRuns: 400 },
    );
  });
});
