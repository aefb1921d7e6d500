import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { fill, memoryJournal } from '../../test/support/journal-db.js';
import { listJournal, MAX_LIST_LIMIT } from './list.js';

const open: Database.Database[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});
function setup(n = 50) {
  const j = memoryJournal(1_000_000);
  open.push(j.db);
  fill(j.journal, j.clock, n);
  return j;
}
const seqs = (p: { entries: { seq: number }[] }): number[] => p.entries.map((e) => e.seq);

describe('listJournal', () => {
  it('lists newest first, a page at a time; the cursor continues below the last seq', () => {
    const { db, journal, clock } = setup(25);
    const p1 = listJournal(db, { limit: 10 });
    expect(seqs(p1)).toEqual([25, 24, 23, 22, 21, 20, 19, 18, 17, 16]);
    expect(p1.nextCursor).toBe(16);
    // Entries appended meanwhile do not shift the next page.
    fill(journal, clock, 5, 100);
    const p2 = listJournal(db, { limit: 10, cursor: p1.nextCursor });
    expect(seqs(p2)).toEqual([15, 14, 13, 12, 11, 10, 9, 8, 7, 6]);
    const p3 = listJournal(db, { limit: 10, cursor: p2.nextCursor });
    expect(seqs(p3)).toEqual([5, 4, 3, 2, 1]);
    expect(p3.nextCursor).toBeUndefined();
  });

  it('filters by time, user (verified or claimed) and kinds, together', () => {
    const { db } = setup(50);
    // fill() stamps entry i at 1_000_000 + i.
    expect(seqs(listJournal(db, { since: 1_000_040 }))).toEqual([50, 49, 48, 47, 46, 45, 44, 43, 42, 41]);
    expect(seqs(listJournal(db, { since: 1_000_010, until: 1_000_013 }))).toEqual([13, 12, 11]);
    const alice = listJournal(db, { user: 'alice@example.com', since: 1_000_030 });
    expect(alice.entries.every((e) => e.actor.type === 'user' && e.actor.id === 'alice@example.com')).toBe(true);
    expect(alice.entries.map((e) => e.kind).sort()).toEqual(['auth.admit', 'auth.admit', 'auth.admit', 'auth.admit', 'chat.run', 'chat.run', 'chat.run', 'chat.run']);
    const claimed = listJournal(db, { user: 'mallory6@example.com' });
    expect(claimed.entries).toMatchObject([{ seq: 7, actor: { type: 'claimed', id: 'mallory6@example.com' }, kind: 'auth.refuse' }]);
    expect(seqs(listJournal(db, { kinds: ['config.patch', 'reload'], since: 1_000_040 }))).toEqual([50, 46, 45, 41]);
    expect(listJournal(db, { user: 'nobody@example.com' })).toEqual({ entries: [] });
  });

  it('caps a page at MAX_LIST_LIMIT and at least 1', () => {
    const { db } = setup(3);
    expect(listJournal(db, { limit: 0 }).entries).toHaveLength(1);
    expect(listJournal(db, { limit: 10 * MAX_LIST_LIMIT }).entries).toHaveLength(3);
  });

  it.each([
    [{ user: 'alice@example.com' }, 'journal_by_actor'],
    [{ kinds: ['reload'] }, 'journal_by_kind'],
  ])('uses an index for %j', (query, index) => {
    const { db } = setup(5);
    const where = 'user' in query ? 'actor = ?' : 'kind IN (?)';
    const plan = db.prepare(`EXPLAIN QUERY PLAN SELECT * FROM journal WHERE ${where} ORDER BY seq DESC LIMIT 10`).all(Object.values(query).flat()[0]) as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toContain(index);
  });
});
