/**
 * Why the chat store cannot be used, as a closed set of codes, each with the sentence for a person
 * and the fix. Every failure of the database (at open or on a later write) becomes a
 * {@link StoreError} naming the file, so the gateway can keep serving everything else and report
 * chat as unavailable instead of crashing or losing a message silently.
 */

export type StoreErrorCode =
  | 'store_permission_denied'
  | 'store_read_only'
  | 'store_not_a_database'
  | 'store_corrupt'
  | 'store_full'
  | 'store_busy'
  | 'store_too_new'
  | 'store_io_error';

interface StoreErrorInfo {
  /** What happened; the file name is put in front. */
  message: string;
  /** What to do, with `{file}` and `{dir}` filled in. */
  fix: string;
}

export const STORE_ERRORS: Readonly<Record<StoreErrorCode, StoreErrorInfo>> = Object.freeze({
  store_permission_denied: {
    message: 'the gateway has no permission to read and write the chat database',
    fix: 'give the user the gateway runs as read and write access to {file} and its directory {dir} (or set MAYROS_STATE_DIR to a directory it owns)',
  },
  store_read_only: {
    message: 'the chat database or its directory is read-only',
    fix: 'make {dir} writable by the gateway user: SQLite writes {file} and creates {file}-wal and {file}-shm beside it (a read-only file system needs MAYROS_STATE_DIR on a writable one)',
  },
  store_not_a_database: {
    message: 'the file is not an SQLite database',
    fix: 'move {file} away (it is not Mayros chat data, or it was overwritten); the gateway creates a new database on its next start',
  },
  store_corrupt: {
    message: 'the chat database is damaged',
    fix: 'stop the gateway and try `sqlite3 {file} ".recover"` into a new file; or move {file} and its -wal/-shm files away to start with an empty chat history',
  },
  store_full: {
    message: 'the disk holding the chat database is full; the write was not saved',
    fix: 'free space on the file system of {dir} (or move MAYROS_STATE_DIR); the gateway retries on the next message',
  },
  store_busy: {
    message: 'another process holds a write lock on the chat database',
    fix: 'stop the other program using {file} (a second gateway on the same state directory, or an sqlite3 shell in a transaction)',
  },
  store_too_new: {
    message: 'the chat database was written by a newer version of Mayros',
    fix: 'run the newer version again, or point MAYROS_STATE_DIR at another directory; this version does not downgrade {file}',
  },
  store_io_error: {
    message: 'the chat database could not be read or written (input/output error)',
    fix: 'check the disk and the file system of {dir} (the system log names the device), and that {file} is a regular file',
  },
});

/** A failure of the chat store. `message` names the file, the cause and the fix. */
export class StoreError extends Error {
  readonly code: StoreErrorCode;
  readonly file: string;
  /** The fix sentence, with the file and directory filled in. */
  readonly fix: string;
  /** The SQLite or system error code underneath (`SQLITE_FULL`, `EACCES`, ...), for logs. */
  readonly detail: string | undefined;

  constructor(code: StoreErrorCode, file: string, detail?: string, cause?: unknown) {
    const info = STORE_ERRORS[code];
    const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) || '/' : '.';
    const fix = info.fix.replaceAll('{file}', file).replaceAll('{dir}', dir);
    super(`chat store ${file}: ${info.message}${detail ? ` (${detail})` : ''}; fix: ${fix}`, cause === undefined ? undefined : { cause });
    this.name = 'StoreError';
    this.code = code;
    this.file = file;
    this.fix = fix;
    this.detail = detail;
  }
}

/** The store code for an SQLite result code (`SQLITE_READONLY_DIRECTORY`) or errno (`EACCES`). */
export function storeCodeFor(code: string | undefined): StoreErrorCode {
  if (!code) return 'store_io_error';
  if (code === 'EACCES' || code === 'EPERM' || code === 'SQLITE_PERM' || code === 'SQLITE_AUTH' || code.startsWith('SQLITE_CANTOPEN')) return 'store_permission_denied';
  if (code === 'EROFS' || code.startsWith('SQLITE_READONLY')) return 'store_read_only';
  if (code === 'SQLITE_NOTADB') return 'store_not_a_database';
  if (code.startsWith('SQLITE_CORRUPT')) return 'store_corrupt';
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL') return 'store_full';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'store_busy';
  return 'store_io_error';
}

/**
 * Turns anything thrown by SQLite or the file system into a StoreError for `file`. Programming
 * errors (a TypeError from a wrong bind value, say) are not storage failures and are rethrown.
 */
export function toStoreError(err: unknown, file: string): StoreError {
  if (err instanceof StoreError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const isStorage = typeof code === 'string' && (code.startsWith('SQLITE_') || /^E[A-Z]+$/.test(code));
  if (!isStorage) throw err;
  return new StoreError(storeCodeFor(code), file, code, err);
}
