/**
 * Temporary directories for the config, state, pid and log files of what a test starts.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made = new Set<string>();
process.once('exit', () => {
  for (const dir of made) removeTempDir(dir);
});

/**
 * A fresh directory under the OS temp dir, removed when the test process exits (or earlier by
 * removeTempDir). Mode 0755 so a proxy's unprivileged worker processes (nginx and Apache drop to
 * another user when started as root) can reach their temp files in it.
 */
export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `mayros-${prefix}-`));
  chmodSync(dir, 0o755);
  made.add(dir);
  return dir;
}

/** Removes a directory made by makeTempDir; keeps it when MAYROS_KEEP_TMP=1 (for debugging). */
export function removeTempDir(dir: string): void {
  made.delete(dir);
  if (process.env.MAYROS_KEEP_TMP === '1') return;
  rmSync(dir, { recursive: true, force: true });
}
