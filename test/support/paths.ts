/**
 * Where things are in the checkout, for suites that run the built CLI or read shipped files.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (test/support/../..), with a trailing slash. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The `mayros` executable (bin/mayros.js, which runs dist/; `npm test` builds it first). */
export const BIN = join(REPO_ROOT, 'bin', 'mayros.js');
