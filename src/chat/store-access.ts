/**
 * The chat store as a request finds it: open, or the `store_*` refusal to answer with. A storage
 * failure during a request becomes that refusal too, never a crash; the client is told the code
 * and the row's sentence, never the server's file path (the log has it).
 */
import type { ResponseError } from '../protocol/frames.js';
import { requestError } from '../protocol/reasons.js';
import type { ChatStore } from '../store/chat-sessions.js';
import { StoreError } from '../store/errors.js';
import type { DatabaseState } from '../store/state.js';

export interface Refusal {
  readonly ok: false;
  readonly error: ResponseError;
}

export type Outcome<T> = { readonly ok: true; readonly value: T } | Refusal;

export const refused = (error: ResponseError): Refusal => ({ ok: false, error });

/** The open store, or why chat is unavailable. */
export function storeOf(db: DatabaseState): Outcome<ChatStore> {
  if (db.state === 'open') return { ok: true, value: db.chats };
  if (db.state === 'unavailable') return refused(requestError(db.error.code));
  return refused(requestError('store_io_error', 'this gateway was started without a database: chat is off'));
}

/**
 * Runs `fn` over the store: a StoreError it throws becomes its `store_*` refusal (passed to
 * `onStoreError` for the log); anything else is a bug and is rethrown (answered INTERNAL).
 */
export function withStore<T>(db: DatabaseState, fn: (chats: ChatStore) => Outcome<T>, onStoreError: (err: StoreError) => void): Outcome<T> {
  const s = storeOf(db);
  if (!s.ok) return s;
  try {
    return fn(s.value);
  } catch (err) {
    if (!(err instanceof StoreError)) throw err;
    onStoreError(err);
    return refused(requestError(err.code));
  }
}
