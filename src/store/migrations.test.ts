import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError } from './errors.js';
import { LATEST_VERSION, migrate, MIGRATIONS, schemaVersion, type Migration } from './migrations.js';

/**
 * The schema exactly as the first release created it. A database made by that release must open
 * in every later one; if this copy and MIGRATIONS[0] ever differ, a released migration was edited.
 */
const RELEASE_1_SQL = `
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
    `;

/** A database as release 1 left it: its schema, user_version 1, and a conversation. */
function release1Database(): Database.Database {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  db.exec(RELEASE_1_SQL);
  db.pragma('user_version = 1');
  db.prepare(`INSERT INTO sessions (id, key, owner, title, created_at, updated_at) VALUES (1, 'k1', 'nick@example.com', 'Trip', 1000, 3000)`).run();
  const ins = db.prepare(`INSERT INTO messages (session_id, role, author, text, created_at, model, prompt_tokens, completion_tokens, state, reason) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  ins.run('user', 'nick@example.com', 'Where to in May?', 2000, null, null, null, 'complete', null);
  ins.run('assistant', null, 'Lisbon, for', 3000, 'local/llama3.2', 12, 3, 'error', 'provider_error');
  return db;
}

/** The schema as text, for comparing two databases. */
function schemaOf(db: Database.Database): string[] {
  return (db.prepare(`SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`).all() as { sql: string | null }[]).map((r) =>
    JSON.stringify({ ...r, sql: r.sql?.replace(/\s+/g, ' ') }),
  );
}

const open: Database.Database[] = [];
const track = (db: Database.Database): Database.Database => (open.push(db), db);
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

describe('MIGRATIONS', () => {
  it('are numbered 1, 2, 3, ... without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(LATEST_VERSION).toBe(MIGRATIONS.length);
  });

  it('never edit the released first migration', () => {
    expect(MIGRATIONS[0]!.sql).toBe(RELEASE_1_SQL);
  });
});

describe('migrate', () => {
  it('brings a new database to the latest version', () => {
    const db = track(new Database(':memory:'));
    expect(migrate(db, ':memory:')).toEqual(MIGRATIONS.map((m) => m.version));
    expect(schemaVersion(db)).toBe(LATEST_VERSION);
    expect(migrate(db, ':memory:')).toEqual([]);
  });

  it('migrates a database made by release 1 to the latest, keeping its data', () => {
    const db = track(release1Database());
    expect(migrate(db, 'release1.db')).toEqual(MIGRATIONS.slice(1).map((m) => m.version));
    expect(schemaVersion(db)).toBe(LATEST_VERSION);
    expect(db.prepare('SELECT key, owner, title FROM sessions').all()).toEqual([{ key: 'k1', owner: 'nick@example.com', title: 'Trip' }]);
    expect(db.prepare('SELECT role, text, state, reason, run_id FROM messages ORDER BY id').all()).toEqual([
      { role: 'user', text: 'Where to in May?', state: 'complete', reason: null, run_id: null },
      { role: 'assistant', text: 'Lisbon, for', state: 'error', reason: 'provider_error', run_id: null },
    ]);
    // The migrated schema is the one a new database gets: no drift between the two paths.
    const fresh = track(new Database(':memory:'));
    migrate(fresh, ':memory:');
    expect(schemaOf(db)).toEqual(schemaOf(fresh));
  });

  it('rolls a failing migration back whole: the version and the data stay as they were', () => {
    const db = track(release1Database());
    const broken: Migration[] = [MIGRATIONS[0]!, { version: 2, name: 'broken', sql: 'CREATE TABLE extra (x); INSERT INTO nowhere VALUES (1);' }];
    expect(() => migrate(db, 'release1.db', broken)).toThrow(/no such table: nowhere/);
    expect(schemaVersion(db)).toBe(1);
    expect(db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'extra'`).get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM messages').get()).toEqual({ n: 2 });
  });

  it('refuses a database from a newer release instead of downgrading it', () => {
    const db = track(new Database(':memory:'));
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    const err = (() => {
      try {
        migrate(db, '/s/mayros.db');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('store_too_new');
    expect((err as StoreError).message).toContain('/s/mayros.db');
    expect(schemaVersion(db)).toBe(LATEST_VERSION + 1);
  });
});

describe('migration 3: the journal', () => {
  it('gives a database made by release 1 an empty journal whose entries cannot be changed or deleted outside retention', () => {
    const db = track(release1Database());
    migrate(db, 'release1.db');
    expect(db.prepare('SELECT count(*) AS n FROM journal').get()).toEqual({ n: 0 });
    const ins = db.prepare(`INSERT INTO journal (seq, time, actor_type, actor, kind, payload, prev, hash) VALUES (?, 1, 'system', NULL, 'reload', '{}', ?, ?)`);
    ins.run(1, '0'.repeat(64), 'a'.repeat(64));
    expect(() => db.prepare(`UPDATE journal SET payload = '{"x":1}'`).run()).toThrow('journal entries are never changed');
    expect(() => db.prepare('DELETE FROM journal').run()).toThrow('removed only by retention');
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name`).all()).toEqual([{ name: 'journal_no_delete' }, { name: 'journal_no_update' }]);
  });
});

describe('migration 4: sessions paged by recent activity', () => {
  it('replaces release 1\'s owner index with the two paging indexes, keeping the sessions', () => {
    const db = track(release1Database());
    const indexes = () => (db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'sessions' AND sql IS NOT NULL ORDER BY name`).all() as { name: string; sql: string }[]).map((r) => r.sql.replace(/\s+/g, ' '));
    expect(indexes()).toEqual(['CREATE INDEX sessions_by_owner ON sessions (owner, updated_at)']);
    migrate(db, 'release1.db');
    expect(indexes()).toEqual(['CREATE INDEX sessions_by_activity ON sessions (updated_at, key)', 'CREATE INDEX sessions_by_owner_activity ON sessions (owner, updated_at, key)']);
    const page = db.prepare(`SELECT key FROM sessions WHERE owner = ? AND (updated_at, key) < (?, ?) ORDER BY updated_at DESC, key DESC LIMIT 10`);
    expect(page.all('nick@example.com', Number.MAX_SAFE_INTEGER, '')).toEqual([{ key: 'k1' }]);
    expect((db.prepare(`EXPLAIN QUERY PLAN ${page.source}`).all('n', 1, 'k') as { detail: string }[])[0]!.detail).toMatch(/USING (COVERING )?INDEX sessions_by_owner_activity/);
  });
});
