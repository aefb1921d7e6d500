/**
 * The gateway's database (`<stateDir>/mayros.db`): opened once at startup and shared by the chat
 * store and the journal. Opening it can fail (permissions, a corrupt or foreign file, a full
 * disk): the failure is logged once with the file and the fix, and the gateway keeps serving
 * everything that does not need the database. Whatever needs it reads {@link DatabaseState} and
 * answers with the failure's `store_*` reason instead of crashing.
 */
import type { DatabaseState } from '../store/state.js';
import { ChatStore } from '../store/chat-sessions.js';
import { StoreError, toStoreError } from '../store/errors.js';
import { dbPath, openStore, type Durability } from '../store/open.js';
import type { Logger } from './log.js';

export type { DatabaseState };

export interface DatabaseOptions {
  durability?: Durability;
  now?: () => number;
}

/** Opens the database for `stateDir`, migrating it and recovering runs a killed process left streaming. Never throws. */
export function openGatewayDatabase(stateDir: string, logger: Logger, opts: DatabaseOptions = {}): DatabaseState {
  const file = dbPath(stateDir);
  try {
    const opened = openStore(file, { durability: opts.durability });
    const chats = new ChatStore(opened.db, opened.file, { now: opts.now });
    logger.info({ event: 'store_opened', file, migrated: opened.migrated, recovered: opened.recovered }, 'database opened');
    return { state: 'open', file, db: opened.db, chats };
  } catch (err) {
    let error: StoreError;
    try {
      error = toStoreError(err, file);
    } catch {
      // Not a storage failure (a bug): still never a crash loop; reported as an I/O error.
      error = new StoreError('store_io_error', file, err instanceof Error ? err.name : 'error', err);
    }
    logger.error({ event: 'store_unavailable', file, code: error.code, detail: error.detail, fix: error.fix }, 'database unavailable: chat and the journal are off; everything else keeps serving');
    return { state: 'unavailable', file, error };
  }
}

/** Closes an open database (idempotent; errors are logged, not thrown). */
export function closeGatewayDatabase(state: DatabaseState, logger: Logger): void {
  if (state.state !== 'open' || !state.db.open) return;
  try {
    state.db.close();
  } catch (err) {
    logger.warn({ event: 'store_close_failed', file: state.file, code: (err as { code?: string }).code }, 'could not close the database cleanly');
  }
}
