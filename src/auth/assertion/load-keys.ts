/**
 * Builds the key source for a resolved assertion at startup: a key file is read once (a bad one
 * stops the gateway with the field and the fix); a key URL gets one fetch attempt before the
 * gateway listens, and a failure there does not stop it: requests are refused with
 * trusted_proxy_assertion_keys_unavailable and /readyz says not ready until keys arrive.
 */
import { readFileSync } from 'node:fs';
import type { JSONWebKeySet } from 'jose';
import { ASSERTION_PATH, type ResolvedAssertion } from '../../config/assertion.js';
import { ConfigError } from '../../config/errors.js';
import { keySetProblem, staticKeySource, type KeySource } from './key-source.js';
import { RemoteKeySource, type RemoteKeyOptions } from './remote-keys.js';

const MAX_FILE_BYTES = 1024 * 1024;

/** Reads and checks a JWKS file; throws ConfigError naming `assertion.jwksFile`. */
export function loadKeyFile(path: string): KeySource {
  const field = `${ASSERTION_PATH}.jwksFile`;
  const fail = (message: string, fix: string): never => {
    throw new ConfigError([{ path: field, message, fix }]);
  };
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    fail(`cannot read "${path}" (${(err as NodeJS.ErrnoException).code ?? 'error'})`, 'check the path and that the gateway\'s user may read it');
  }
  if (Buffer.byteLength(text) > MAX_FILE_BYTES) fail(`"${path}" is larger than ${MAX_FILE_BYTES} bytes`, 'point jwksFile at the proxy\'s public key set (JWKS), not another file');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    fail(`"${path}" is not JSON`, 'save the proxy\'s key set exactly as its JWKS endpoint serves it');
  }
  const problem = keySetProblem(parsed);
  if (problem) fail(`"${path}": ${problem}`, 'save the proxy\'s public key set (JWKS: {"keys": [...]}) exactly as its endpoint serves it');
  try {
    return staticKeySource(parsed as JSONWebKeySet);
  } catch (err) {
    return fail(`"${path}": ${(err as Error).message}`, 'save the proxy\'s public key set exactly as its endpoint serves it');
  }
}

/** Tuning for fetched keys; the URL comes from the config. */
export type KeySourceTuning = Omit<RemoteKeyOptions, 'url'>;

/** The key source for `assertion`, ready to use (first fetch attempted). */
export async function createKeySource(assertion: ResolvedAssertion, tuning: KeySourceTuning = {}): Promise<KeySource> {
  if (assertion.keys.kind === 'file') return loadKeyFile(assertion.keys.path);
  const source = new RemoteKeySource({ ...tuning, url: assertion.keys.url });
  await source.refresh();
  return source;
}
