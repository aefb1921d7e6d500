/**
 * The gateway's database (`<stateDir>/mayros.db`): opened once at startup and shared by the chat
 * store and the journal. Opening it can fail (permissions, a corrupt or foreign file, a full
 * disk): the failure is logged once with the file and the fix, and the gateway keeps serving
 * everything that does not need the database. Whatever needs it reads {@link DatabaseState} and
 * answers with the failure's `store_*` reason instead of crashing.
 */
import type { DatabaseState } from '../store/state.js';
import { ChatStore } from '../store/chat-sessions.js';
import { toStoreErrorSafe } from '../store/errors.js';
import { checkpointOnTimer, type Checkpoints } from '../store/checkpoint.js';
import { dbPath, openStore, type Durability } from '../store/open.js';
import type { Logger } from './log.js';

export type { DatabaseState };

export interface DatabaseOptions {
  durability?: Durability;
  now?: () => number;
  /** How often the WAL is checkpointed, off the request path (default 1 s). */
  checkpointEveryMs?: number;
}

/** The checkpoint timer of each database this module opened, stopped when it closes. */
const checkpoints = new WeakMap<object, Checkpoints>();

/** Opens the database for `stateDir`, migrating it and recovering runs a killed process left streaming. Never throws. */
export function openGatewayDatabase(stateDir: string, logger: Logger, opts: DatabaseOptions = {}): DatabaseState {
  const file = dbPath(stateDir);
  try {
    const opened = openStore(file, { durability: opts.durability });
    const chats = new ChatStore(opened.db, opened.file, { now: opts.now });
    checkpoints.set(
      opened.db,
      checkpointOnTimer(opened.db, opts.checkpointEveryMs ?? 1000, (err) => {
        const e = toStoreErrorSafe(err, file);
        logger.warn({ event: 'store_checkpoint_failed', file, code: e.code, detail: e.detail, fix: e.fix }, 'could not checkpoint the database; its write-ahead log grows until this succeeds');
      }),
    );
    logger.info({ event: 'store_opened', file, migrated: opened.migrated, recovered: opened.recovered }, 'database opened');
    return { state: 'open', file, db: opened.db, chats };
  } catch (err) {
    const error = toStoreErrorSafe(err, file);
    logger.error({ event: 'store_unavailable', file, code: error.code, detail: error.detail, fix: error.fix }, 'database unavailable: chat and the journal are off; everything else keeps serving');
    return { state: 'unavailable', file, error };
  }
}

/** Closes an open database (idempotent; errors are logged, not thrown). */
export function closeGatewayDatabase(state: DatabaseState, logger: Logger): void {
  if (state.state !== 'open' || !state.db.open) return;
  checkpoints.get(state.db)?.stop();
  try {
    state.db.close();
  } catch (err) {
    logger.warn({ event: 'store_close_failed', file: state.file, code: (err as { code?: string }).code }, 'could not close the database cleanly');
  }
}

