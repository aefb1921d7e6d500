/**
 * Test signing keys and tokens: real key pairs from jose, public halves as a JWKS.
 */
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK, type JWTPayload } from 'jose';

export interface TestSigner {
  readonly kid: string;
  readonly alg: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  /** The public key as published in a JWKS. */
  readonly jwk: JWK;
  /** Signs `claims` with this key; `header` adds or overrides protected header fields. */
  sign(claims: JWTPayload, header?: Record<string, unknown>): Promise<string>;
}

export async function makeSigner(kid: string, alg = 'ES256'): Promise<TestSigner> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return {
    kid,
    alg,
    privateKey,
    publicKey,
    jwk,
    sign: (claims, header = {}) => new SignJWT(claims).setProtectedHeader({ alg, kid, typ: 'JWT', ...header }).sign(privateKey),
  };
}

export function jwksOf(...signers: TestSigner[]): { keys: JWK[] } {
  return { keys: signers.map((s) => s.jwk) };
}

/** Standard claims for a token issued `ageSec` ago and living `lifeSec`, at wall-clock `nowMs`. */
export function claims(nowMs: number, extra: JWTPayload = {}, { ageSec = 5, lifeSec = 300 } = {}): JWTPayload {
  const now = Math.floor(nowMs / 1000);
  return { iat: now - ageSec, nbf: now - ageSec, exp: now - ageSec + lifeSec, ...extra };
}

/** A compact JWS with `alg: none` (jose will not make one). */
export function unsignedToken(payload: JWTPayload): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`;
}
