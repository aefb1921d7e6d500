import { describe, expect, it } from 'vitest';
import { StoreError } from '../store/errors.js';
import type { DatabaseState } from '../store/state.js';
import { storeOf, withStore } from './store-access.js';

const file = '/var/lib/mayros/mayros.db';

describe('the chat store as a request finds it', () => {
  it('answers an unavailable database with its store code and the row sentence, never the file path', () => {
    const db: DatabaseState = { state: 'unavailable', file, error: new StoreError('store_permission_denied', file, 'EACCES') };
    const r = storeOf(db);
    expect(r).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE', reason: 'store_permission_denied' } });
    expect(JSON.stringify(r)).not.toContain(file);
    expect(storeOf({ state: 'off' })).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE', reason: 'store_io_error' } });
  });

  it('turns a StoreError thrown mid-request into its refusal, reported once; other errors are bugs and rethrown', () => {
    const db = { state: 'open', file, db: {}, chats: {} } as unknown as DatabaseState;
    const seen: StoreError[] = [];
    const full = new StoreError('store_full', file, 'SQLITE_FULL');
    expect(withStore(db, () => { throw full; }, (e) => seen.push(e))).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE', reason: 'store_full' } });
    expect(seen).toEqual([full]);
    expect(() => withStore(db, () => { throw new TypeError('bug'); }, () => undefined)).toThrow('bug');
  });
});
