/**
 * Reading the journal: newest first, filtered by time, person and kind, one page at a time.
 * Pages continue with `cursor` (the seq to continue below), so entries appended meanwhile never
 * shift a page.
 */
import type { Database } from 'better-sqlite3';
import { ACTOR_TYPES, type Actor, type ActorType, type JournalEntry } from './types.js';

/** The most entries one page returns. */
export const MAX_LIST_LIMIT = 1000;
export const DEFAULT_LIST_LIMIT = 100;

export interface ListQuery {
  /** Entries at or after this time (ms since the epoch). */
  since?: number;
  /** Entries before this time. */
  until?: number;
  /** Entries whose actor is this identity: verified, or claimed by a refused request. */
  user?: string;
  /** Entries of these kinds. */
  kinds?: readonly string[];
  /** At most this many (1 to {@link MAX_LIST_LIMIT}); default {@link DEFAULT_LIST_LIMIT}. */
  limit?: number;
  /** Continue below this seq (the `nextCursor` of the previous page). */
  cursor?: number;
}

export interface ListPage {
  /** Newest first. */
  entries: JournalEntry[];
  /** Pass as `cursor` for the next (older) page; absent on the last page. */
  nextCursor?: number;
}

/** A journal row as SQLite returns it (`SELECT * FROM journal`). */
export interface JournalRow {
  seq: number;
  time: number;
  actor_type: string;
  actor: string | null;
  kind: string;
  payload: string;
  prev: string;
  hash: string;
}

/** A stored actor as the union; an unknown type (a damaged row) reads as claimed, never verified. */
function actorOf(type: string, id: string | null): Actor {
  const t = (ACTOR_TYPES as readonly string[]).includes(type) ? (type as ActorType) : 'claimed';
  if (t === 'user' || t === 'claimed') return { type: t, id: id ?? '' };
  return { type: t };
}

export function toEntry(r: JournalRow): JournalEntry {
  return { seq: r.seq, time: r.time, actor: actorOf(r.actor_type, r.actor), kind: r.kind, payload: r.payload, prev: r.prev, hash: r.hash };
}

/** Runs a query (validated by the caller: the CLI and the method schema) against the journal. */
export function listJournal(db: Database, query: ListQuery = {}): ListPage {
  const where: string[] = [];
  const params: unknown[] = [];
  if (query.cursor !== undefined) {
    where.push('seq < ?');
    params.push(query.cursor);
  }
  if (query.since !== undefined) {
    where.push('time >= ?');
    params.push(query.since);
  }
  if (query.until !== undefined) {
    where.push('time < ?');
    params.push(query.until);
  }
  if (query.user !== undefined) {
    where.push('actor = ?');
    params.push(query.user);
  }
  if (query.kinds?.length) {
    where.push(`kind IN (${query.kinds.map(() => '?').join(', ')})`);
    params.push(...query.kinds);
  }
  const limit = Math.min(Math.max(1, Math.floor(query.limit ?? DEFAULT_LIST_LIMIT)), MAX_LIST_LIMIT);
  // One more than asked tells whether there is a next page.
  const sql = `SELECT seq, time, actor_type, actor, kind, payload, prev, hash FROM journal${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`;
  const rows = db.prepare(sql).all(...params, limit + 1) as JournalRow[];
  const more = rows.length > limit;
  const entries = (more ? rows.slice(0, limit) : rows).map(toEntry);
  return more ? { entries, nextCursor: entries[entries.length - 1]!.seq } : { entries };
}
