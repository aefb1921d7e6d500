/**
 * Opening the chat database: `<stateDir>/mayros.db`, created 0600, WAL mode, migrated to the
 * latest schema, with answers left streaming by a killed process marked incomplete. Any failure is
 * a StoreError naming the file and the fix; the caller keeps serving everything else.
 */
import { chmodSync, closeSync, constants, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError, toStoreError } from './errors.js';
import { migrate, MIGRATIONS, type Migration } from './migrations.js';

export const DB_FILE = 'mayros.db';

/** The database path for a state directory. */
export function dbPath(stateDir: string): string {
  return join(stateDir, DB_FILE);
}

/**
 * How much a commit survives.
 * - `process` (SQLite `synchronous = NORMAL`, the default): a committed write survives the death of
 *   the gateway process, SIGKILL and out-of-memory included, because in WAL mode it is in the
 *   operating system's page cache the moment the commit returns. A power cut or kernel crash may lose
 *   the last commits (never corrupts the database). No fsync per message, so 500 concurrent streams
 *   writing their progress do not queue behind the disk.
 * - `power` (`synchronous = FULL`): also fsyncs the log at every commit, surviving power loss, at
 *   the cost of one disk flush per write.
 */
export type Durability = 'process' | 'power';

export interface OpenOptions {
  durability?: Durability;
  /**
   * How long a write waits for another process's lock before failing with `store_busy`.
   * better-sqlite3 is synchronous, so this wait blocks the event loop: keep it short.
   */
  busyTimeoutMs?: number;
  /** For tests: the schema to migrate to (defaults to every migration). */
  migrations?: readonly Migration[];
}

export interface OpenedStore {
  db: Database.Database;
  file: string;
  /** Migrations applied by this open (empty when the schema was current). */
  migrated: number[];
  /** Answers found streaming (left by a killed process) and marked incomplete. */
  recovered: number;
}

/** The reason code stored on an answer that was streaming when the gateway stopped. */
export const INTERRUPTED_REASON = 'gateway_restarted';

/** Default lock wait: outlasts another process's short write, never stalls the loop for long. */
export const DEFAULT_BUSY_TIMEOUT_MS = 2000;

/** Creates the file 0600 if missing, tightens a loosened one, and proves it is readable and writable. */
function prepareFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  // O_RDWR fails with EACCES on a file the gateway could read but not write: caught here, with
  // the errno, instead of SQLite opening it read-only and failing at the first message.
  closeSync(openSync(file, constants.O_RDWR | constants.O_CREAT, 0o600));
  tighten(file);
}

/** Chat history is personal data: group and others get no access, to the log files either. */
function tighten(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    let mode: number;
    try {
      mode = statSync(f).mode;
    } catch {
      continue;
    }
    if ((mode & 0o077) !== 0) chmodSync(f, mode & 0o700);
  }
}

/**
 * Opens (creating if needed) and migrates the chat database at `file`. Throws StoreError only.
 * SQLite creates `-wal` and `-shm` with the database file's own mode, so they are 0600 too.
 */
export function openStore(file: string, options: OpenOptions = {}): OpenedStore {
  let db: Database.Database | undefined;
  try {
    prepareFile(file);
    db = new Database(file, { fileMustExist: true, timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
    // The first statement reads the header: a file that is not a database fails here.
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.durability === 'power' ? 'FULL' : 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new StoreError('store_corrupt', file, `quick_check: ${String(check).slice(0, 200)}`);
    const migrated = migrate(db, file, options.migrations ?? MIGRATIONS);
    const recovered = recoverInterrupted(db);
    tighten(file);
    return { db, file, migrated, recovered };
  } catch (err) {
    try {
      db?.close();
    } catch {
      /* already failing: the first error is the one to report */
    }
    throw toStoreError(err, file);
  }
}

/**
 * Marks every answer still `streaming` as `incomplete`: at open, no stream can be running, so each
 * of them was cut by a killed or crashed process. Their text so far is kept.
 */
export function recoverInterrupted(db: Database.Database): number {
  return db.prepare(`UPDATE messages SET state = 'incomplete', reason = ? WHERE state = 'streaming'`).run(INTERRUPTED_REASON).changes;
}
