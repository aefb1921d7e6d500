/**
 * The chat database schema, as numbered migrations. `PRAGMA user_version` holds the number of the
 * last one applied; at open, every later one runs, each in its own transaction, so a failure leaves
 * the database at the previous version with its data intact.
 *
 * A released migration is never edited: change the schema by adding the next one. A test builds
 * a database the way the first release did and migrates it to the latest.
 */
import type { Database } from 'better-sqlite3';
import { StoreError } from './errors.js';

export interface Migration {
  /** 1, 2, 3, ... in order, without gaps. */
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    version: 1,
    name: 'sessions and messages',
    // Times are milliseconds since the epoch. A message's INTEGER PRIMARY KEY is its rowid: it
    // only grows, so it is the stable cursor of a session's history (index messages_by_session).
    sql: `
      CREATE TABLE sessions (
        id         INTEGER PRIMARY KEY,
        key        TEXT NOT NULL UNIQUE,
        owner      TEXT NOT NULL,
        title      TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX sessions_by_owner ON sessions (owner, updated_at);

      CREATE TABLE messages (
        id                INTEGER PRIMARY KEY,
        session_id        INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        role              TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'system')),
        author            TEXT,
        text              TEXT NOT NULL DEFAULT '',
        created_at        INTEGER NOT NULL,
        model             TEXT,
        prompt_tokens     INTEGER,
        completion_tokens INTEGER,
        state             TEXT NOT NULL CHECK (state IN ('complete', 'streaming', 'incomplete', 'error', 'aborted')),
        reason            TEXT
      );
      CREATE INDEX messages_by_session ON messages (session_id, id);
      -- Crash recovery looks only at answers still marked streaming: a tiny partial index.
      CREATE INDEX messages_streaming ON messages (id) WHERE state = 'streaming';
    `,
  },
  {
    version: 2,
    name: 'runs and idempotency keys',
    // One run per (owner, idempotency key): a client that resends chat.send after a lost reply
    // gets the run it already started. Messages name the run that wrote them.
    sql: `
      CREATE TABLE runs (
        id              TEXT PRIMARY KEY,
        owner           TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        session_id      INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        created_at      INTEGER NOT NULL,
        UNIQUE (owner, idempotency_key)
      );
      CREATE INDEX runs_by_session ON runs (session_id);
      ALTER TABLE messages ADD COLUMN run_id TEXT REFERENCES runs (id) ON DELETE SET NULL;
      CREATE INDEX messages_by_run ON messages (run_id) WHERE run_id IS NOT NULL;
    `,
  },
  {
    version: 3,
    name: 'journal',
    // The hash-chained journal (src/journal, docs/journal.md). seq is assigned by the writer (it is
    // hashed); AUTOINCREMENT keeps the highest seq ever written in sqlite_sequence, so deleting
    // the newest entries is seen by verify. Entries are never changed: the triggers refuse UPDATE,
    // and DELETE except of entries at or below a permit that retention inserts, and removes, in
    // the transaction that deletes the oldest entries. The triggers stop mistakes; anyone who can
    // write the file can drop them, which verify then catches through the chain.
    sql: `
      CREATE TABLE journal (
        seq        INTEGER PRIMARY KEY AUTOINCREMENT,
        time       INTEGER NOT NULL,
        actor_type TEXT NOT NULL,
        actor      TEXT,
        kind       TEXT NOT NULL,
        payload    TEXT NOT NULL,
        prev       TEXT NOT NULL,
        hash       TEXT NOT NULL
      );
      CREATE INDEX journal_by_time ON journal (time);
      CREATE INDEX journal_by_actor ON journal (actor, seq) WHERE actor IS NOT NULL;
      CREATE INDEX journal_by_kind ON journal (kind, seq);

      CREATE TABLE journal_prune_permit (through_seq INTEGER NOT NULL);

      CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
      BEGIN
        SELECT RAISE(ABORT, 'journal entries are never changed');
      END;
      CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
      WHEN NOT EXISTS (SELECT 1 FROM journal_prune_permit WHERE OLD.seq <= through_seq)
      BEGIN
        SELECT RAISE(ABORT, 'journal entries are removed only by retention, oldest first');
      END;
    `,
  },
  {
    version: 4,
    name: 'sessions paged by recent activity',
    // sessions.list pages most recently active first, continuing below the cursor (updated_at, key):
    // the key breaks ties between sessions active in the same millisecond. One index serves each
    // order, a person's own (owner first) and an admin's everyone's, read backwards; no OFFSET,
    // no sort. The new owner index supersedes sessions_by_owner (owner, updated_at).
    sql: `
      DROP INDEX sessions_by_owner;
      CREATE INDEX sessions_by_owner_activity ON sessions (owner, updated_at, key);
      CREATE INDEX sessions_by_activity ON sessions (updated_at, key);
    `,
  },
]);

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** The schema version recorded in the database (0 for a new, empty one). */
export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Applies every migration newer than the database's version, each in one transaction.
 * Returns the versions applied. Throws StoreError `store_too_new` for a database from a newer
 * release (never downgraded); SQLite errors propagate for the caller to map.
 */
export function migrate(db: Database, file: string, migrations: readonly Migration[] = MIGRATIONS): number[] {
  const current = schemaVersion(db);
  const latest = migrations.length ? migrations[migrations.length - 1]!.version : 0;
  if (current > latest) throw new StoreError('store_too_new', file, `schema version ${current}, this release knows up to ${latest}`);
  const applied: number[] = [];
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      // user_version lives in the database header: written in the same transaction.
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
    applied.push(m.version);
  }
  return applied;
}
