/**
 * WAL checkpoints off the request path. SQLite's automatic checkpoint runs inside whichever commit
 * takes the WAL past 1,000 pages, syncing the database file on the way, so about one chat message
 * in a hundred waited for the disk before it was acknowledged. The gateway turns the automatic
 * checkpoint off and checkpoints on a timer instead, PASSIVE (it never waits for a reader and
 * never blocks a writer). SQLite also checkpoints when the last connection closes.
 */
import type Database from 'better-sqlite3';

export interface Checkpoints {
  stop(): void;
}

/**
 * Checkpoints `db` every `everyMs` from now on. A failing checkpoint (a full disk, say) is passed
 * to `onError`, once until one succeeds again; the WAL keeps every commit meanwhile.
 */
export function checkpointOnTimer(db: Pick<Database.Database, 'pragma'>, everyMs: number, onError: (err: unknown) => void): Checkpoints {
  db.pragma('wal_autocheckpoint = 0');
  let failing = false;
  const timer = setInterval(() => {
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
      failing = false;
    } catch (err) {
      if (!failing) onError(err);
      failing = true;
    }
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
