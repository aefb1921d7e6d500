/**
 * Child processes that use the built chat store (`dist/store`, built by `npm test`): a process to
 * SIGKILL mid-stream, and one running as another user for permission failures.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DIST_STORE = fileURLToPath(new URL('../../dist/store/index.js', import.meta.url));

/** A module source that imports the built store as `store` and then runs `body`. */
export function storeScript(body: string): string {
  if (!existsSync(DIST_STORE)) throw new Error(`${DIST_STORE} is missing: run "npm run build" (npm test does) before this suite`);
  return `const store = await import(${JSON.stringify(DIST_STORE)});\n${body}`;
}

/** Node arguments that run a module source. */
export const moduleArgs = (source: string): string[] => ['--input-type=module', '-e', source];

/** The unprivileged user a root test drops to (nobody); undefined when the suite is not root. */
export const OTHER_USER = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;

/**
 * Runs `body` with the built store to completion (10 s at most), as {@link OTHER_USER} when the
 * suite runs as root so that file permissions apply; returns its stdout.
 */
export function runStoreScript(body: string, env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, moduleArgs(storeScript(body)), { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 10_000, ...OTHER_USER }, (err, stdout, stderr) => {
      if (err) reject(new Error(`store child failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}
