/**
 * The generated gateway token: created on the first run in token mode when none is configured,
 * kept in the state directory with mode 0600, and read back on later runs.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, chmodSync, closeSync, constants, fstatSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withValues, type ResolvedConfig } from './load.js';
import { ConfigError } from './errors.js';

export const TOKEN_FILE = 'gateway.token';

export interface TokenOutcome {
  resolved: ResolvedConfig;
  /** Present when the token came from (or goes to) the state directory. */
  file?: string;
  /** True when this call created the token. */
  generated: boolean;
  /**
   * With `defer`: the generated token, not yet written. Save it with saveGeneratedToken once the
   * gateway listens.
   */
  unsaved?: string;
}

export function tokenFilePath(stateDir: string): string {
  return join(stateDir, TOKEN_FILE);
}

/** Reads the stored token, or undefined when there is none. */
export function readStoredToken(stateDir: string): string | undefined {
  try {
    const t = readFileSync(tokenFilePath(stateDir), 'utf8').trim();
    return t || undefined;
  } catch {
    return undefined;
  }
}

function unsavable(resolved: ResolvedConfig, file: string, err: unknown): ConfigError {
  return new ConfigError([{ path: 'gateway.auth.token', message: `no token configured and the generated one could not be saved to ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, fix: `make ${resolved.stateDir} writable, set MAYROS_STATE_DIR, or set MAYROS_GATEWAY_TOKEN` }]);
}

/** `resolved` with `token` in force as the generated gateway token. */
export function withToken(resolved: ResolvedConfig, token: string): ResolvedConfig {
  return withValues(resolved, [{ path: 'gateway.auth.token', value: token, source: 'generated' }]);
}

/**
 * In token mode with no configured token, loads or creates the stored one. With `defer`, a new
 * token is only generated, not written (the state directory is checked to be writable): the
 * caller saves it once the gateway listens, so a run that cannot listen leaves no token behind
 * whose one-time link nobody saw.
 */
export function ensureToken(resolved: ResolvedConfig, opts: { defer?: boolean } = {}): TokenOutcome {
  const auth = resolved.config.gateway.auth;
  if (auth.mode !== 'token' || auth.token) return { resolved, generated: false };
  const file = tokenFilePath(resolved.stateDir);
  const stored = readStoredToken(resolved.stateDir);
  if (stored) {
    // Someone loosened it: tighten it back rather than serve a readable secret.
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    return { resolved: withToken(resolved, stored), file, generated: false };
  }
  const token = randomBytes(32).toString('base64url');
  if (opts.defer) {
    try {
      mkdirSync(resolved.stateDir, { recursive: true, mode: 0o700 });
      accessSync(resolved.stateDir, constants.W_OK);
    } catch (err) {
      throw unsavable(resolved, file, err);
    }
    return { resolved: withToken(resolved, token), file, generated: true, unsaved: token };
  }
  if (saveGeneratedToken(resolved, token) === 'exists') return ensureToken(resolved);
  return { resolved: withToken(resolved, token), file, generated: true };
}

/**
 * Writes a generated token to the state directory (mode 0600, never over an existing file).
 * Returns 'exists' when another process saved one first. Throws ConfigError when it cannot write.
 */
export function saveGeneratedToken(resolved: ResolvedConfig, token: string): 'written' | 'exists' {
  const file = tokenFilePath(resolved.stateDir);
  try {
    mkdirSync(resolved.stateDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
    return 'written';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return 'exists';
    throw unsavable(resolved, file, err);
  }
}

export type OwnerRead =
  | { ok: true; token: string; file: string; looseMode?: number }
  | { ok: false; file: string; problem: 'missing' | 'unreadable' | 'not_owner' | 'empty'; detail: string };

/**
 * Reads the stored token for `mayros gateway url`, only for the user who owns the file (the
 * state directory's owner, who runs the gateway). Reports a mode looser than 0600 so the caller
 * can warn. `uid` defaults to the process's (undefined on Windows: no owner check).
 */
export function readTokenAsOwner(stateDir: string, uid: number | undefined = process.getuid?.()): OwnerRead {
  const file = tokenFilePath(stateDir);
  let fd: number;
  try {
    // O_NOFOLLOW: the token file is never a symlink the gateway made; do not read through one.
    fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    if (code === 'ENOENT') return { ok: false, file, problem: 'missing', detail: `${file} does not exist` };
    return { ok: false, file, problem: 'unreadable', detail: `${file} cannot be read (${code})` };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { ok: false, file, problem: 'unreadable', detail: `${file} is not a regular file` };
    if (uid !== undefined && st.uid !== uid) return { ok: false, file, problem: 'not_owner', detail: `${file} belongs to uid ${st.uid}, not to this user (uid ${uid})` };
    const token = readFileSync(fd, 'utf8').trim();
    if (!token) return { ok: false, file, problem: 'empty', detail: `${file} is empty` };
    const loose = st.mode & 0o077;
    return { ok: true, token, file, ...(loose !== 0 && { looseMode: st.mode & 0o777 }) };
  } finally {
    closeSync(fd);
  }
}
