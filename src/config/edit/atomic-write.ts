/**
 * Replacing a file so that no reader ever sees a partial one: the new bytes go to a temporary file
 * in the same directory (same file system, so the rename is atomic), which gets the old file's
 * mode and owner and is flushed to disk, then renamed over the old one; the directory is flushed so
 * the rename survives a crash.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Mode and owner a file is written with. */
export interface FileIdentity {
  mode: number;
  uid: number;
  gid: number;
}

/** Why a file could not be replaced: `detail` is safe to show (an errno code and what failed). */
export class WriteFailure extends Error {
  constructor(readonly detail: string, cause?: unknown) {
    super(detail, cause === undefined ? undefined : { cause });
    this.name = 'WriteFailure';
  }
}

function code(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? 'error';
}

async function syncDirectory(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Writes `data` to `target` atomically, with `like`'s mode and owner (a new file: 0600 and this
 * process's owner). `beforeRename` runs once the new file is on disk and can still call the write
 * off by throwing; the target is then untouched and the temporary file removed.
 */
export async function writeFileAtomic(target: string, data: string | Buffer, like?: FileIdentity, beforeRename?: () => Promise<void>): Promise<void> {
  const dir = dirname(target);
  const tmp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let fh;
  try {
    // Private from the first byte: the file may hold secrets, and a wider mode comes only from `like`.
    fh = await open(tmp, 'wx', 0o600);
  } catch (err) {
    throw new WriteFailure(`cannot create a file in ${dir} (${code(err)})`, err);
  }
  try {
    try {
      try {
        if (like) {
          const st = await fh.stat();
          // Only root can give a file away; anyone else may only keep their own uid (and a group of theirs).
          if (st.uid !== like.uid || st.gid !== like.gid) await fh.chown(like.uid, like.gid);
        }
      } catch (err) {
        throw new WriteFailure(`cannot keep the file's owner ${like!.uid}:${like!.gid} (${code(err)}); run the gateway as that user or edit the file by hand`, err);
      }
      try {
        await fh.writeFile(data);
        // After chown, which clears set-id bits.
        if (like) await fh.chmod(like.mode & 0o7777);
        await fh.sync();
      } catch (err) {
        throw new WriteFailure(`cannot write ${tmp} (${code(err)})`, err);
      }
    } finally {
      await fh.close();
    }
    await beforeRename?.();
    try {
      await rename(tmp, target);
    } catch (err) {
      throw new WriteFailure(`cannot replace ${target} (${code(err)})`, err);
    }
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  try {
    await syncDirectory(dir);
  } catch {
    // The rename is done and visible; only its durability across a power cut is not confirmed.
  }
}
