/**
 * Appending to the journal, and retention. One writer per database is expected (the gateway), but
 * every append reads the newest entry inside its own write transaction, so two writers can never
 * fork the chain. Storage failures are thrown as StoreError naming the file.
 */
import type { Database, Statement, Transaction } from 'better-sqlite3';
import { toStoreError } from '../store/errors.js';
import { canonicalJson } from './canonical.js';
import { assertNoSecrets } from './guard.js';
import { entryHash } from './hash.js';
import { GENESIS, isJournalKind, type Actor, type JournalEntry, type JournalInput, type JournalPrunePayload } from './types.js';

/** The largest payload accepted, in characters of canonical JSON. */
export const MAX_PAYLOAD_CHARS = 64 * 1024;

/** Retention limits (src/config/journal-schema.ts). */
export interface RetentionPolicy {
  retentionDays: number;
  maxEntries: number;
}

export interface PruneResult {
  /** Entries deleted by this call. */
  deleted: number;
  /** Entries a prune anchor allows to delete that are still there (call again to go on). */
  remaining: number;
  /** The anchor this call wrote, if any. */
  anchor?: JournalEntry;
}

/** Entries one prune call deletes at most, so a first prune of a large journal never stalls the gateway. */
export const DEFAULT_PRUNE_BATCH = 5000;

const DAY_MS = 24 * 3600 * 1000;

export class JournalPayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JournalPayloadError';
  }
}

interface HeadRow {
  seq: number;
  hash: string;
}

function actorColumns(actor: Actor): [string, string | null] {
  return [actor.type, 'id' in actor ? actor.id : null];
}

export class Journal {
  private readonly now: () => number;
  private readonly q: Record<'head' | 'insert' | 'oldest' | 'lastAnchor' | 'firstSince' | 'hashOf' | 'permit' | 'unpermit' | 'deleteUpTo' | 'countUpTo', Statement>;
  private readonly appendTx: Transaction<(inputs: readonly JournalInput[]) => JournalEntry[]>;
  private readonly pruneTx: Transaction<(now: number, policy: RetentionPolicy, batch: number) => PruneResult>;

  constructor(private readonly db: Database, readonly file: string, options: { now?: () => number } = {}) {
    this.now = options.now ?? Date.now;
    const p = (sql: string): Statement => db.prepare(sql);
    this.q = {
      head: p('SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1'),
      insert: p('INSERT INTO journal (seq, time, actor_type, actor, kind, payload, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      oldest: p('SELECT seq FROM journal ORDER BY seq LIMIT 1'),
      lastAnchor: p(`SELECT payload FROM journal WHERE kind = 'journal.prune' ORDER BY seq DESC LIMIT 1`),
      // Unary + keeps SQLite on the rowid order: it stops at the first recent entry.
      firstSince: p('SELECT seq FROM journal WHERE +time >= ? ORDER BY seq LIMIT 1'),
      hashOf: p('SELECT hash FROM journal WHERE seq = ?'),
      permit: p('INSERT INTO journal_prune_permit (through_seq) VALUES (?)'),
      unpermit: p('DELETE FROM journal_prune_permit'),
      deleteUpTo: p('DELETE FROM journal WHERE seq <= ?'),
      countUpTo: p('SELECT count(*) AS n FROM journal WHERE seq <= ?'),
    };
    this.appendTx = db.transaction((inputs: readonly JournalInput[]) => {
      const head = this.q.head.get() as HeadRow | undefined;
      let seq = head?.seq ?? 0;
      let prev = head?.hash ?? GENESIS;
      const out: JournalEntry[] = [];
      for (const input of inputs) {
        const entry = this.seal(input, ++seq, prev);
        const [actorType, actor] = actorColumns(entry.actor);
        this.q.insert.run(entry.seq, entry.time, actorType, actor, entry.kind, entry.payload, entry.prev, entry.hash);
        prev = entry.hash;
        out.push(entry);
      }
      return out;
    });
    this.pruneTx = db.transaction((now: number, policy: RetentionPolicy, batch: number) => this.pruneStep(now, policy, batch));
  }

  /** Checks an input and computes its stored form. Throws before anything is written. */
  private seal(input: JournalInput, seq: number, prev: string): JournalEntry {
    if (!isJournalKind(input.kind)) throw new JournalPayloadError(`journal kind "${String(input.kind)}" is not one of the known kinds (src/journal/types.ts)`);
    assertNoSecrets(input.payload);
    const payload = canonicalJson(input.payload);
    if (payload.length > MAX_PAYLOAD_CHARS) throw new JournalPayloadError(`journal payload of ${input.kind} is ${payload.length} characters, more than ${MAX_PAYLOAD_CHARS}; record less (paths, not whole files)`);
    const time = input.time ?? this.now();
    if (!Number.isSafeInteger(time) || time < 0) throw new JournalPayloadError(`journal time ${time} is not milliseconds since the epoch`);
    const [actorType, actor] = actorColumns(input.actor);
    const hash = entryHash(prev, { seq, time, actorType, actor, kind: input.kind, payload });
    return { seq, time, actor: input.actor, kind: input.kind, payload, prev, hash };
  }

  /** Appends one entry and returns it as stored. */
  append(input: JournalInput): JournalEntry {
    return this.appendMany([input])[0]!;
  }

  /** Appends entries in one transaction (all or none), in order. */
  appendMany(inputs: readonly JournalInput[]): JournalEntry[] {
    if (!inputs.length) return [];
    try {
      return this.appendTx.immediate(inputs);
    } catch (err) {
      throw wrap(err, this.file);
    }
  }

  /** The newest entry's seq and hash, or undefined for an empty journal. */
  head(): { seq: number; hash: string } | undefined {
    try {
      return this.q.head.get() as HeadRow | undefined;
    } catch (err) {
      throw toStoreError(err, this.file);
    }
  }

  /**
   * Applies retention: when entries are older than `retentionDays`, or there are more than
   * `maxEntries`, first appends a `journal.prune` anchor naming the newest entry to go (its seq
   * and hash), then deletes entries from the oldest, at most `batch` per call. Call again while
   * `remaining` > 0 (an interrupted prune resumes under its anchor).
   */
  prune(policy: RetentionPolicy, batch = DEFAULT_PRUNE_BATCH): PruneResult {
    try {
      return this.pruneTx.immediate(this.now(), policy, batch);
    } catch (err) {
      throw wrap(err, this.file);
    }
  }

  private pruneStep(now: number, policy: RetentionPolicy, batch: number): PruneResult {
    const head = this.q.head.get() as HeadRow | undefined;
    const oldest = (this.q.oldest.get() as { seq: number } | undefined)?.seq;
    if (!head || oldest === undefined) return { deleted: 0, remaining: 0 };
    const last = this.q.lastAnchor.get() as { payload: string } | undefined;
    let through = last ? (JSON.parse(last.payload) as JournalPrunePayload).throughSeq : 0;

    // Age removes the run of old entries at the start: up to the first entry inside the
    // retention period (an entry stamped in the future by a clock error only stops it early).
    const firstKept = (this.q.firstSince.get(now - policy.retentionDays * DAY_MS) as { seq: number } | undefined)?.seq;
    const byAge = firstKept === undefined ? head.seq : firstKept - 1;
    // Count what is left once the current anchor's deletions are done; over the limit, remove
    // enough that maxEntries remain with the new anchor (one more entry) included.
    const left = head.seq - Math.max(oldest, through + 1) + 1;
    const byCount = left > policy.maxEntries ? head.seq + 1 - policy.maxEntries : 0;
    const target = Math.min(Math.max(byAge, byCount), head.seq);
    let anchor: JournalEntry | undefined;
    if (target >= oldest && target > through) {
      const hash = (this.q.hashOf.get(target) as { hash: string } | undefined)?.hash;
      if (hash === undefined) throw new Error(`journal entry ${target} vanished during retention`);
      const count = (this.q.countUpTo.get(target) as { n: number }).n;
      const payload: JournalPrunePayload = { throughSeq: target, throughHash: hash, count, rule: byAge >= byCount ? 'age' : 'count' };
      anchor = this.seal({ kind: 'journal.prune', actor: { type: 'system' }, payload, time: now }, head.seq + 1, head.hash);
      this.q.insert.run(anchor.seq, anchor.time, 'system', null, anchor.kind, anchor.payload, anchor.prev, anchor.hash);
      through = target;
    }
    if (oldest > through) return { deleted: 0, remaining: 0, anchor };
    const upTo = Math.min(through, oldest + batch - 1);
    this.q.permit.run(upTo);
    const deleted = this.q.deleteUpTo.run(upTo).changes;
    this.q.unpermit.run();
    const remaining = upTo < through ? (this.q.countUpTo.get(through) as { n: number }).n : 0;
    return { deleted, remaining, anchor };
  }
}

function wrap(err: unknown, file: string): Error {
  if (err instanceof Error && (err.name === 'JournalPayloadError' || err.name === 'JournalSecretError' || err.name === 'CanonicalJsonError')) return err;
  return toStoreError(err, file);
}
