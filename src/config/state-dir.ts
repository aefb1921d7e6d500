/**
 * Where the gateway keeps its state: `$MAYROS_STATE_DIR`, else `~/.mayros`. On its own (no schema,
 * no parser) so a command that needs only the directory, such as `mayros journal`, loads nothing else.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The environment variable naming the state directory. */
export const STATE_DIR_ENV = 'MAYROS_STATE_DIR';

export function resolveStateDir(env: Record<string, string | undefined>): string {
  const dir = env[STATE_DIR_ENV];
  return resolve(dir && dir.trim() ? dir : join(homedir(), '.mayros'));
}
