/**
 * The database as the running gateway holds it: open (with the chat store over it), unavailable
 * (with the failure that a method answers with), or not opened at all by the embedder.
 */
import type Database from 'better-sqlite3';
import type { ChatStore } from './chat-sessions.js';
import type { StoreError } from './errors.js';

export type DatabaseState =
  | {
      readonly state: 'open';
      readonly file: string;
      readonly db: Database.Database;
      /** Chat sessions, messages and runs, scoped by owner. */
      readonly chats: ChatStore;
    }
  | { readonly state: 'unavailable'; readonly file: string; readonly error: StoreError }
  /** The embedder asked for no database (`GatewayOptions.database: false`). */
  | { readonly state: 'off' };
