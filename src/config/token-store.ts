/**
 * The generated gateway token: created on the first run in token mode when none is configured,
 * kept in the state directory with mode 0600, and read back on later runs.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deepFreeze, type ResolvedConfig, type ValueSource } from './load.js';
import { ConfigError } from './errors.js';

export const TOKEN_FILE = 'gateway.token';

export interface TokenOutcome {
  resolved: ResolvedConfig;
  /** Present when the token came from the state directory. */
  file?: string;
  /** True when this call created the token. */
  generated: boolean;
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

/** In token mode with no configured token, loads or creates the stored one. */
export function ensureToken(resolved: ResolvedConfig): TokenOutcome {
  const auth = resolved.config.gateway.auth;
  if (auth.mode !== 'token' || auth.token) return { resolved, generated: false };
  const file = tokenFilePath(resolved.stateDir);
  let token = readStoredToken(resolved.stateDir);
  let generated = false;
  if (!token) {
    token = randomBytes(32).toString('base64url');
    try {
      mkdirSync(resolved.stateDir, { recursive: true, mode: 0o700 });
      writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return ensureToken(resolved);
      throw new ConfigError([{ path: 'gateway.auth.token', message: `no token configured and the generated one could not be saved to ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, fix: `make ${resolved.stateDir} writable, set MAYROS_STATE_DIR, or set MAYROS_GATEWAY_TOKEN` }]);
    }
    generated = true;
  } else if ((statSync(file).mode & 0o077) !== 0) {
    // Someone loosened it: tighten it back rather than serve a readable secret.
    chmodSync(file, 0o600);
  }
  const config = structuredClone(resolved.config);
  config.gateway.auth.token = token;
  const sources = new Map<string, ValueSource>(resolved.sources);
  sources.set('gateway.auth.token', 'generated');
  const next: ResolvedConfig = Object.freeze({ ...resolved, config: deepFreeze(config), sources });
  return { resolved: next, file, generated };
}
