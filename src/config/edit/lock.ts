/**
 * One edit of a file at a time within this process: each runs after the one before it has
 * finished (written or refused), so an edit's hash check and its write are never interleaved with
 * another's.
 */
const tails = new Map<string, Promise<unknown>>();

/** Runs `fn` after every earlier `fn` for the same `key` has settled. */
export function withFileLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const before = tails.get(key) ?? Promise.resolve();
  const run = before.then(fn);
  const tail = run.catch(() => undefined);
  tails.set(key, tail);
  void tail.then(() => {
    if (tails.get(key) === tail) tails.delete(key);
  });
  return run;
}
