/**
 * Where assertion verification keys come from. The verifier sees only this interface, so tests
 * and the startup file loader can hand it any key set; the network lives in remote-keys.ts.
 */
import { createLocalJWKSet, type CryptoKey, type FlattenedJWSInput, type JSONWebKeySet, type JWSHeaderParameters } from 'jose';

export type Readiness = { ready: true } | { ready: false; detail: string };

export interface KeySource {
  /**
   * Resolves the key for a token's protected header (jose's key-resolver shape). Rejects with
   * KeysUnavailableError when no usable key set can be had, or with jose's errors
   * (ERR_JWKS_NO_MATCHING_KEY, ...) when the set has no key for this token.
   */
  getKey(header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey>;
  /** Whether keys are usable now (for GET /readyz). */
  readiness(): Readiness;
}

/** No usable key set: the gateway cannot verify anything and refuses (fail closed). */
export class KeysUnavailableError extends Error {
  readonly code = 'MAYROS_KEYS_UNAVAILABLE';
  constructor(detail: string) {
    super(`signing keys unavailable: ${detail}`);
    this.name = 'KeysUnavailableError';
  }
}

/** Why a parsed JSON value is not a usable public key set, or undefined when it is one. */
export function keySetProblem(value: unknown): string | undefined {
  if (!value || typeof value !== 'object' || !Array.isArray((value as { keys?: unknown }).keys)) return 'not a JSON Web Key Set (an object with a "keys" array)';
  const keys = (value as { keys: unknown[] }).keys;
  if (keys.length === 0) return 'the key set is empty';
  for (const k of keys) {
    if (!k || typeof k !== 'object') return 'a member of "keys" is not an object';
    // Private or symmetric material must never be published; refusing it catches a wrong file.
    if ('d' in k || 'k' in k) return 'the key set holds private or symmetric key material; publish only public keys';
  }
  return undefined;
}

/** A key source over a fixed key set (jwksFile, tests). Always ready. */
export function staticKeySource(jwks: JSONWebKeySet): KeySource {
  const problem = keySetProblem(jwks);
  if (problem) throw new TypeError(problem);
  const local = createLocalJWKSet(jwks);
  return {
    getKey: (header, token) => local(header, token),
    readiness: () => ({ ready: true }),
  };
}
