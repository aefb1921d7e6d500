/**
 * Verifying the chain. `verifyRows` is the decision, over plain rows in seq order; `verifyJournal`
 * reads them from a database in one read transaction (a consistent snapshot while a gateway
 * writes). What is checked, and what cannot be, is in docs/journal.md#verification.
 *
 * - Every entry's hash matches its fields (an edited entry fails here).
 * - Every entry's prev is the hash of the entry before it, and seqs follow without a gap (a
 *   deleted or reordered entry fails here).
 * - The oldest entry left starts the chain: seq 1 after the genesis hash, or, once retention has
 *   pruned, the entry after the newest `journal.prune` anchor, with that anchor's hash as prev.
 *   While a prune is still deleting, older entries may remain; the chain through them must then
 *   reach the anchor's hash. Pruning from the old end is therefore no alarm, and deleting old
 *   entries without an anchor is.
 * - The highest seq SQLite remembers having written is present (newest entries deleted).
 */
import type { Database } from 'better-sqlite3';
import { entryHash } from './hash.js';
import { GENESIS, type JournalPrunePayload } from './types.js';

/** A journal row as SQLite returns it: seq, time, actor_type, actor, kind, payload, prev, hash. */
export type RawRow = readonly unknown[];

/** The newest `journal.prune` anchor: where the chain is allowed to start. */
export interface StartAnchor {
  /** The anchor entry's own seq. */
  seq: number;
  throughSeq: number;
  throughHash: string;
}

export type VerifyFailure =
  | { problem: 'malformed'; seq: number; detail: string }
  | { problem: 'hash_mismatch'; seq: number; stored: string; computed: string }
  | { problem: 'prev_mismatch'; seq: number; stored: string; expected: string }
  | { problem: 'seq_gap'; seq: number; missingFrom: number; missingTo: number }
  | { problem: 'start_missing'; seq: number; expectedSeq: number; anchorSeq: number | null }
  | { problem: 'start_prev_mismatch'; seq: number; anchorSeq: number | null }
  | { problem: 'anchor_mismatch'; seq: number; anchorSeq: number }
  | { problem: 'tail_missing'; seq: number; lastWritten: number };

export type VerifyProblem = VerifyFailure['problem'];

export interface VerifyOk {
  ok: true;
  /** Entries checked. */
  entries: number;
  /** The oldest entry left, and the newest (its hash: keep it elsewhere to catch a rewrite). */
  first?: number;
  head?: { seq: number; hash: string };
  /** The retention anchor the chain starts from, if the journal was ever pruned. */
  anchor?: StartAnchor;
}

export interface VerifyBad {
  ok: false;
  /** Entries checked and found good before the bad one. */
  entries: number;
  failure: VerifyFailure;
}

export type VerifyResult = VerifyOk | VerifyBad;

/** A sentence for a person: what is wrong with the entry, and what it suggests happened. */
export function describeFailure(f: VerifyFailure): string {
  switch (f.problem) {
    case 'malformed':
      return `entry ${f.seq} is malformed (${f.detail}): it was not written by the gateway`;
    case 'hash_mismatch':
      return `entry ${f.seq} does not match its hash: its content was changed after it was written`;
    case 'prev_mismatch':
      return `entry ${f.seq} does not follow the entry before it (its prev is ${short(f.stored)}, the entry before hashes to ${short(f.expected)}): an entry before it was replaced, or entries were reordered`;
    case 'seq_gap':
      return f.missingFrom === f.missingTo
        ? `entry ${f.missingFrom} is missing before entry ${f.seq}: it was deleted`
        : `entries ${f.missingFrom} to ${f.missingTo} are missing before entry ${f.seq}: they were deleted`;
    case 'start_missing':
      return f.anchorSeq === null
        ? `the journal starts at entry ${f.seq}, but nothing records entries 1 to ${f.seq - 1} being pruned: they were deleted`
        : `the journal starts at entry ${f.seq}, but retention (anchor ${f.anchorSeq}) removed entries only up to ${f.expectedSeq - 1}: entries ${f.expectedSeq} to ${f.seq - 1} were deleted`;
    case 'start_prev_mismatch':
      return f.anchorSeq === null
        ? `entry ${f.seq}, the first, does not start the chain: it was changed or replaced`
        : `entry ${f.seq} does not follow the last entry retention removed (anchor ${f.anchorSeq}): it was changed or replaced`;
    case 'anchor_mismatch':
      return `entry ${f.seq} is not the entry retention anchor ${f.anchorSeq} recorded: it, or the entries before it, were replaced`;
    case 'tail_missing':
      return f.seq === f.lastWritten
        ? `entry ${f.seq}, the newest written, is missing: it was deleted`
        : `entries ${f.seq} to ${f.lastWritten}, the newest written, are missing: they were deleted`;
  }
}

const short = (h: string): string => `${h.slice(0, 12)}…`;

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const isHash = (v: unknown): v is string => typeof v === 'string' && v.length === 64;

/**
 * Walks `rows` (in seq order) and returns ok or the first bad entry.
 * @param anchor the newest `journal.prune` entry among the rows, if any
 * @param lastWritten the highest seq ever written (SQLite's sqlite_sequence), if known
 */
export function verifyRows(rows: Iterable<RawRow>, anchor: StartAnchor | undefined, lastWritten: number | undefined): VerifyResult {
  let entries = 0;
  let first: number | undefined;
  let prevSeq = 0;
  let prevHash = '';
  const bad = (failure: VerifyFailure): VerifyBad => ({ ok: false, entries, failure });
  for (const row of rows) {
    const [seq, time, actorType, actor, kind, payload, prev, hash] = row;
    if (!isInt(seq)) return bad({ problem: 'malformed', seq: prevSeq + 1, detail: `seq ${String(seq)} is not an integer` });
    if (!isInt(time) || typeof actorType !== 'string' || (actor !== null && typeof actor !== 'string') || typeof kind !== 'string' || typeof payload !== 'string' || !isHash(prev) || !isHash(hash)) {
      return bad({ problem: 'malformed', seq, detail: 'a field has the wrong type' });
    }
    if (first === undefined) {
      first = seq;
      if (!anchor) {
        if (seq !== 1) return bad({ problem: 'start_missing', seq, expectedSeq: 1, anchorSeq: null });
        if (prev !== GENESIS) return bad({ problem: 'start_prev_mismatch', seq, anchorSeq: null });
      } else if (seq > anchor.throughSeq + 1) {
        return bad({ problem: 'start_missing', seq, expectedSeq: anchor.throughSeq + 1, anchorSeq: anchor.seq });
      } else if (seq === anchor.throughSeq + 1 && prev !== anchor.throughHash) {
        return bad({ problem: 'start_prev_mismatch', seq, anchorSeq: anchor.seq });
      }
      // seq <= throughSeq: a prune is still deleting; the chain must reach the anchor's hash.
    } else {
      if (seq !== prevSeq + 1) return bad({ problem: 'seq_gap', seq, missingFrom: prevSeq + 1, missingTo: seq - 1 });
      if (prev !== prevHash) return bad({ problem: 'prev_mismatch', seq, stored: prev, expected: prevHash });
    }
    const computed = entryHash(prev, { seq, time, actorType, actor, kind, payload });
    if (computed !== hash) return bad({ problem: 'hash_mismatch', seq, stored: hash, computed });
    if (anchor && seq === anchor.throughSeq && hash !== anchor.throughHash) return bad({ problem: 'anchor_mismatch', seq, anchorSeq: anchor.seq });
    prevSeq = seq;
    prevHash = hash;
    entries++;
  }
  if (lastWritten !== undefined && lastWritten > prevSeq) return bad({ problem: 'tail_missing', seq: prevSeq + 1, lastWritten });
  return { ok: true, entries, first, head: entries ? { seq: prevSeq, hash: prevHash } : undefined, anchor };
}

/** The newest anchor, parsed; a payload that is not one is reported as malformed. */
function readAnchor(db: Database): StartAnchor | VerifyBad | undefined {
  const row = db.prepare(`SELECT seq, payload FROM journal WHERE kind = 'journal.prune' ORDER BY seq DESC LIMIT 1`).get() as { seq: number; payload: string } | undefined;
  if (!row) return undefined;
  let p: Partial<JournalPrunePayload> | undefined;
  try {
    p = JSON.parse(row.payload) as Partial<JournalPrunePayload>;
  } catch {
    p = undefined;
  }
  if (!p || !isInt(p.throughSeq) || !isHash(p.throughHash) || p.throughSeq >= row.seq) {
    return { ok: false, entries: 0, failure: { problem: 'malformed', seq: row.seq, detail: 'a journal.prune entry without a valid throughSeq and throughHash' } };
  }
  return { seq: row.seq, throughSeq: p.throughSeq, throughHash: p.throughHash };
}

/** Rows read per query: memory stays bounded, and a page of rows costs less than stepping one by one. */
const CHUNK = 4096;

/** Every row in seq order, read a chunk at a time (inside the caller's read transaction). */
function* inChunks(db: Database): Generator<RawRow> {
  const page = db.prepare(`SELECT seq, time, actor_type, actor, kind, payload, prev, hash FROM journal WHERE seq > ? ORDER BY seq LIMIT ${CHUNK}`).raw(true);
  let after = -1;
  for (;;) {
    const rows = page.all(after) as RawRow[];
    if (!rows.length) return;
    yield* rows;
    const last = rows[rows.length - 1]![0];
    // A seq that is not a number is reported by verifyRows; stop reading past it.
    if (typeof last !== 'number') return;
    after = last;
  }
}

/** Verifies the journal of an open database (read-only is enough), as one consistent snapshot. */
export function verifyJournal(db: Database): VerifyResult {
  return db.transaction((): VerifyResult => {
    const anchor = readAnchor(db);
    if (anchor && 'ok' in anchor) return anchor;
    const seqRow = db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'journal'`).get() as { seq: number } | undefined;
    return verifyRows(inChunks(db), anchor, seqRow?.seq);
  })();
}
