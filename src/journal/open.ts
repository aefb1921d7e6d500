/**
 * Opening the journal for reading, as `mayros journal` does: read-only, never creating or
 * migrating anything, next to a gateway that may be writing (WAL lets a reader see a consistent
 * snapshot without blocking it). Every failure is a JournalOpenError naming the file and the fix.
 */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError, toStoreError } from '../store/errors.js';
import { LATEST_VERSION, schemaVersion } from '../store/migrations.js';

/** The schema version that added the journal (src/store/migrations.ts). */
export const JOURNAL_SCHEMA_VERSION = 3;

export class JournalOpenError extends Error {
  constructor(readonly file: string, what: string, readonly fix: string, readonly code: string, cause?: unknown) {
    super(`journal database ${file}: ${what}; fix: ${fix}`, cause === undefined ? undefined : { cause });
    this.name = 'JournalOpenError';
  }
}

/** Opens `file` read-only and checks that it holds a journal. Throws JournalOpenError. */
export function openJournalReadOnly(file: string, busyTimeoutMs = 2000): Database.Database {
  if (!existsSync(file)) {
    throw new JournalOpenError(
      file,
      'there is no database here',
      `the gateway creates it when it first starts with the state directory ${dirname(file)}; if it runs with another one, set MAYROS_STATE_DIR to it (or pass --db with the file)`,
      'journal_db_missing',
    );
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs });
    const version = schemaVersion(db);
    if (version > LATEST_VERSION) throw new StoreError('store_too_new', file, `schema version ${version}, this release knows up to ${LATEST_VERSION}`);
    if (version < JOURNAL_SCHEMA_VERSION) {
      throw new JournalOpenError(file, `the database has no journal yet (schema version ${version})`, 'start the gateway of this release once: it adds the journal to the database', 'journal_not_migrated');
    }
    return db;
  } catch (err) {
    try {
      db?.close();
    } catch {
      /* the first error is the one to report */
    }
    if (err instanceof JournalOpenError) throw err;
    const store = err instanceof StoreError ? err : toStoreError(err, file);
    const what = store.message.slice(0, store.message.indexOf('; fix: ')).replace(`chat store ${file}: `, '');
    throw new JournalOpenError(file, what, store.fix, store.code, err);
  }
}
