/**
 * Why the chat store cannot be used: the `store_*` codes of the reason table
 * (src/protocol/reasons.ts), each with the sentence for a person and the fix. Every failure of
 * the database (at open or on a later write) becomes a {@link StoreError} naming the file, so the
 * gateway can keep serving everything else and report chat as unavailable instead of crashing or
 * losing a message silently.
 */
import { REASONS, type StoreCode } from '../protocol/reasons.js';

/** A failure of the chat store. `message` names the file, the cause and the fix. */
export class StoreError extends Error {
  readonly code: StoreCode;
  readonly file: string;
  /** The fix sentence, with the file and directory filled in. */
  readonly fix: string;
  /** The SQLite or system error code underneath (`SQLITE_FULL`, `EACCES`, ...), for logs. */
  readonly detail: string | undefined;

  constructor(code: StoreCode, file: string, detail?: string, cause?: unknown) {
    const info = REASONS[code];
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
export function storeCodeFor(code: string | undefined): StoreCode {
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

/**
 * The same, for places that must not throw (a run's end, the database's open and timers): a
 * failure that is not a storage one (a bug) becomes `store_io_error` instead of being rethrown.
 */
export function toStoreErrorSafe(err: unknown, file: string): StoreError {
  try {
    return toStoreError(err, file);
  } catch {
    return new StoreError('store_io_error', file, err instanceof Error ? err.name : 'error', err);
  }
}
