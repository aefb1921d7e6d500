import { describe, expect, it } from 'vitest';
import { codesOf, type StoreCode } from '../protocol/reasons.js';
import { StoreError, storeCodeFor, toStoreError } from './errors.js';

describe('storeCodeFor', () => {
  it.each<[string | undefined, StoreCode]>([
    ['EACCES', 'store_permission_denied'],
    ['EPERM', 'store_permission_denied'],
    ['SQLITE_CANTOPEN', 'store_permission_denied'],
    ['SQLITE_PERM', 'store_permission_denied'],
    ['EROFS', 'store_read_only'],
    ['SQLITE_READONLY', 'store_read_only'],
    ['SQLITE_READONLY_DIRECTORY', 'store_read_only'],
    ['SQLITE_NOTADB', 'store_not_a_database'],
    ['SQLITE_CORRUPT', 'store_corrupt'],
    ['SQLITE_CORRUPT_INDEX', 'store_corrupt'],
    ['SQLITE_FULL', 'store_full'],
    ['ENOSPC', 'store_full'],
    ['EDQUOT', 'store_full'],
    ['SQLITE_BUSY', 'store_busy'],
    ['SQLITE_BUSY_SNAPSHOT', 'store_busy'],
    ['SQLITE_LOCKED', 'store_busy'],
    ['SQLITE_IOERR_WRITE', 'store_io_error'],
    ['EISDIR', 'store_io_error'],
    [undefined, 'store_io_error'],
  ])('%s -> %s', (code, expected) => {
    expect(storeCodeFor(code)).toBe(expected);
  });
});

describe('StoreError', () => {
  it('names the file, what happened, the underlying code and the fix with the directory filled in', () => {
    const e = new StoreError('store_full', '/var/lib/mayros/mayros.db', 'SQLITE_FULL');
    expect(e.message).toBe(
      'chat store /var/lib/mayros/mayros.db: the disk holding the chat database is full; the write was not saved (SQLITE_FULL); ' +
        'fix: free space on the file system of /var/lib/mayros (or move MAYROS_STATE_DIR); the gateway retries on the next message',
    );
    expect(e.code).toBe('store_full');
    expect(e.file).toBe('/var/lib/mayros/mayros.db');
  });

  it.each(codesOf('store') as StoreCode[])('%s has a fix that names the file or its directory', (code) => {
    const e = new StoreError(code, '/s/mayros.db');
    expect(e.fix).not.toMatch(/\{file\}|\{dir\}/);
    expect(e.fix).toMatch(/\/s\/mayros\.db|\/s\b/);
  });
});

describe('toStoreError', () => {
  it('maps an SQLite error and keeps it as the cause', () => {
    const cause = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    const e = toStoreError(cause, '/s/mayros.db');
    expect(e).toBeInstanceOf(StoreError);
    expect(e.code).toBe('store_full');
    expect(e.cause).toBe(cause);
  });

  it('maps a file-system errno', () => {
    expect(toStoreError(Object.assign(new Error('x'), { code: 'EACCES' }), '/s/mayros.db').code).toBe('store_permission_denied');
  });

  it('passes a StoreError through unchanged', () => {
    const e = new StoreError('store_too_new', '/s/mayros.db');
    expect(toStoreError(e, '/other')).toBe(e);
  });

  it('rethrows programming errors instead of disguising them as storage failures', () => {
    const bug = new TypeError('Too few parameter values were provided');
    expect(() => toStoreError(bug, '/s/mayros.db')).toThrow(bug);
  });
});
