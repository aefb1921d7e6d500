/**
 * The chat store: one SQLite file in the state directory. See docs/chat.md#storage.
 */
import { ChatStore, type ChatStoreOptions } from './chat-sessions.js';
import { openStore, type OpenOptions } from './open.js';

export { ChatStore, MAX_HISTORY_PAGE, MAX_SESSIONS_PAGE } from './chat-sessions.js';
export { dbPath, DB_FILE, INTERRUPTED_REASON, type Durability, type OpenOptions } from './open.js';
export { StoreError } from './errors.js';
export type * from './chat-types.js';

export interface OpenedChatStore {
  store: ChatStore;
  /** Schema migrations this open applied. */
  migrated: number[];
  /** Answers a killed process left streaming, now marked incomplete. */
  recovered: number;
}

/**
 * Opens the chat database at `file` (see {@link dbPath}). Throws StoreError, naming the file and
 * the fix, when it cannot be used: the caller keeps serving and reports chat as unavailable.
 */
export function openChatStore(file: string, options: OpenOptions & ChatStoreOptions = {}): OpenedChatStore {
  const opened = openStore(file, options);
  return { store: new ChatStore(opened.db, opened.file, options), migrated: opened.migrated, recovered: opened.recovered };
}
