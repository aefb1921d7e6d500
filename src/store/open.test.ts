import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDir } from '../../test/support/tmp.js';
import { ChatStore } from './chat-sessions.js';
import { StoreError } from './errors.js';
import { LATEST_VERSION, MIGRATIONS } from './migrations.js';
import { INTERRUPTED_REASON, openStore, type OpenedStore } from './open.js';

const root = makeTempDir('store-open');
afterAll(() => removeTempDir(root));
let n = 0;
const fresh = (): string => join(root, `db${++n}`, 'mayros.db');
const mode = (f: string): string => (statSync(f).mode & 0o777).toString(8);

/** The StoreError thrown by `fn` (fails the test when it throws nothing or something else). */
function storeErrorOf(fn: () => unknown): StoreError {
  try {
    fn();
  } catch (e) {
    if (e instanceof StoreError) return e;
    throw e;
  }
  throw new Error('expected a StoreError, nothing was thrown');
}

function withStore<T>(file: string, fn: (o: OpenedStore) => T, options?: Parameters<typeof openStore>[1]): T {
  const o = openStore(file, options);
  try {
    return fn(o);
  } finally {
    o.db.close();
  }
}

describe('openStore', () => {
  it('creates the file and its -wal and -shm with mode 0600, even under umask 000', () => {
    const file = fresh();
    const old = process.umask(0);
    try {
      withStore(file, ({ db }) => {
        db.prepare(`INSERT INTO sessions (key, owner, created_at, updated_at) VALUES ('k', 'o', 1, 1)`).run();
        expect([mode(file), mode(`${file}-wal`), mode(`${file}-shm`)]).toEqual(['600', '600', '600']);
      });
    } finally {
      process.umask(old);
    }
    expect(mode(join(file, '..'))).toBe('700');
  });

  it('tightens a database and a -wal left readable by others back to 0600', () => {
    const file = fresh();
    withStore(file, () => undefined);
    chmodSync(file, 0o644);
    withStore(file, ({ db }) => {
      expect(mode(file)).toBe('600');
      db.prepare(`INSERT INTO sessions (key, owner, created_at, updated_at) VALUES ('k', 'o', 1, 1)`).run();
      // A -wal outlives only a killed process; a second open while this one holds it finds it.
      chmodSync(`${file}-wal`, 0o664);
      withStore(file, () => expect(mode(`${file}-wal`)).toBe('600'));
    });
  });

  it('uses WAL, synchronous NORMAL by default (FULL for durability "power"), foreign keys and a short busy timeout', () => {
    const file = fresh();
    withStore(file, ({ db, migrated }) => {
      expect(migrated).toEqual(MIGRATIONS.map((m) => m.version));
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(1);
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(2000);
      expect(db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    });
    withStore(file, ({ db, migrated }) => {
      expect(migrated).toEqual([]);
      expect(db.pragma('synchronous', { simple: true })).toBe(2);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(250);
    }, { durability: 'power', busyTimeoutMs: 250 });
  });

  it('refuses a file that is not a database, naming it and the fix, and leaves it untouched', () => {
    const file = fresh();
    withStore(file, () => undefined);
    const junk = 'these are someone else\'s notes, not a database\n'.repeat(200);
    writeFileSync(file, junk);
    const e = storeErrorOf(() => openStore(file));
    expect(e.code).toBe('store_not_a_database');
    expect(e.message).toContain(file);
    expect(e.message).toMatch(/fix: move .*mayros\.db away/);
    expect(readFileSync(file, 'utf8')).toBe(junk);
  });

  it('refuses a damaged database as store_corrupt', () => {
    const file = fresh();
    withStore(file, ({ db }) => {
      db.prepare(`INSERT INTO sessions (id, key, owner, created_at, updated_at) VALUES (1, 'k', 'o', 1, 1)`).run();
      const ins = db.prepare(`INSERT INTO messages (session_id, role, text, created_at, state) VALUES (1, 'user', ?, 1, 'complete')`);
      db.transaction(() => {
        for (let i = 0; i < 2000; i++) ins.run(`message ${i} `.repeat(20));
      })();
    });
    const bytes = readFileSync(file);
    bytes.fill(0x5a, 4096 * 4, 4096 * 12);
    writeFileSync(file, bytes);
    expect(storeErrorOf(() => openStore(file)).code).toBe('store_corrupt');
  });

  it('reports a path it cannot create as a StoreError, not a crash', () => {
    const blocker = join(root, 'a-file');
    writeFileSync(blocker, 'x');
    const e = storeErrorOf(() => openStore(join(blocker, 'mayros.db')));
    expect(e.code).toBe('store_io_error');
    expect(['EEXIST', 'ENOTDIR']).toContain(e.detail);
    expect(e.message).toContain(join(blocker, 'mayros.db'));
  });

  it('refuses a database from a newer release and releases the file', () => {
    const file = fresh();
    withStore(file, ({ db }) => db.pragma(`user_version = ${LATEST_VERSION + 1}`));
    expect(storeErrorOf(() => openStore(file)).code).toBe('store_too_new');
    // Closed after the failure: a write from another connection does not wait for a lock.
    const other = new Database(file, { timeout: 0 });
    other.pragma('user_version = 1');
    other.close();
  });

  it('marks answers left streaming by a killed process incomplete, keeping their text', () => {
    const file = fresh();
    withStore(file, ({ db }) => {
      db.prepare(`INSERT INTO sessions (id, key, owner, created_at, updated_at) VALUES (1, 'k', 'o', 1, 1)`).run();
      const ins = db.prepare(`INSERT INTO messages (session_id, role, text, created_at, state) VALUES (1, ?, ?, 1, ?)`);
      ins.run('user', 'hello', 'complete');
      ins.run('assistant', 'Hel', 'streaming');
      ins.run('assistant', 'done', 'complete');
    });
    withStore(file, ({ db, recovered }) => {
      expect(recovered).toBe(1);
      expect(db.prepare('SELECT text, state, reason FROM messages ORDER BY id').all()).toEqual([
        { text: 'hello', state: 'complete', reason: null },
        { text: 'Hel', state: 'incomplete', reason: INTERRUPTED_REASON },
        { text: 'done', state: 'complete', reason: null },
      ]);
    });
    withStore(file, ({ recovered }) => expect(recovered).toBe(0));
  });

  it('turns a full disk on write into store_full, keeps what was saved, and works again once there is room', () => {
    const file = fresh();
    withStore(file, ({ db }) => {
      const store = new ChatStore(db, file);
      const s = store.createSession('nick');
      // SQLite reports a full file system and a reached max_page_count with the same SQLITE_FULL.
      const pages = db.pragma('page_count', { simple: true }) as number;
      db.pragma(`max_page_count = ${pages + 1}`);
      const big = 'x'.repeat(64 * 1024);
      const e = storeErrorOf(() => store.beginRun('nick', { sessionKey: s.key, idempotencyKey: 'i1', text: big }));
      expect(e.code).toBe('store_full');
      expect(e.message).toContain(file);
      expect(store.history(s).messages).toEqual([]);
      expect(store.getRun('nick', 'i1')).toBeUndefined();
      db.pragma('max_page_count = 1073741823');
      const r = store.beginRun('nick', { sessionKey: s.key, idempotencyKey: 'i1', text: big });
      expect(r.ok && r.created).toBe(true);
      expect(store.history(s).messages.map((m) => m.text.length)).toEqual([big.length]);
    });
  });
});
