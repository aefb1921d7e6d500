/**
 * Watches the config file for changes. The directory is watched, not the file: editors and
 * config managers replace files by renaming a new one over the old (a watch on the old inode
 * would go silent), and Kubernetes swaps a symlinked directory. Events are debounced, and the
 * callback runs only when the file's content (or its readability) actually changed.
 */
import { createHash } from 'node:crypto';
import { watch, readFileSync, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';

export interface WatchOptions {
  /** Quiet time after the last event before the file is read (default 200 ms). */
  debounceMs?: number;
  /** Poll interval used when the directory cannot be watched (default 2000 ms). */
  pollMs?: number;
  /** Told when watching falls back to polling. */
  onWatchError?: (err: NodeJS.ErrnoException) => void;
}

export interface ConfigWatcher {
  close(): void;
}

/** What the file is right now: a content hash, or why it cannot be read. */
export function fileSignature(file: string): string {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch (err) {
    return `unreadable:${(err as NodeJS.ErrnoException).code ?? 'error'}`;
  }
}

export function watchConfigFile(file: string, onChange: () => void, opts: WatchOptions = {}): ConfigWatcher {
  const debounceMs = opts.debounceMs ?? 200;
  let last = fileSignature(file);
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  let poller: NodeJS.Timeout | undefined;
  let closed = false;

  const check = () => {
    timer = undefined;
    if (closed) return;
    const now = fileSignature(file);
    if (now === last) return;
    last = now;
    onChange();
  };
  const poke = () => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(check, debounceMs);
    timer.unref();
  };
  const poll = (err: NodeJS.ErrnoException) => {
    watcher?.close();
    watcher = undefined;
    if (poller || closed) return;
    opts.onWatchError?.(err);
    // Comparing content (not fs.watchFile's stat baseline, which misses a change made before its
    // first stat) works on a missing directory and follows a symlinked file's target.
    poller = setInterval(check, opts.pollMs ?? 2000);
    poller.unref();
  };

  try {
    watcher = watch(dirname(file), { persistent: false }, poke);
    watcher.on('error', (err) => poll(err as NodeJS.ErrnoException));
  } catch (err) {
    poll(err as NodeJS.ErrnoException);
  }
  // A change between reading `last` and the watch starting raised no event: look once.
  poke();

  return {
    close() {
      closed = true;
      clearTimeout(timer);
      clearInterval(poller);
      watcher?.close();
    },
  };
}
