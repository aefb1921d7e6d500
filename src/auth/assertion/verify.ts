/**
 * Verifies one signed identity assertion: a pure async function over the token, the identity the
 * header claimed, a key source, the settings and the time. It never throws: every failure comes
 * back as a reason from the closed set in reasons.ts. JWT parsing and signature checks are jose's.
 */
import type { JWTPayload } from 'jose';
import type { ResolvedAssertion } from '../../config/assertion.js';
import type { AssertionInvalidWhy } from '../reasons.js';
import type { AssertionFailure, AssertionOutcome } from './outcome.js';
import type { KeySource } from './key-source.js';
import { nfc } from '../header-text.js';

export type { AssertionFailure, AssertionOutcome };

/** The settings the verifier reads (a ResolvedAssertion satisfies it). */
export type AssertionOptions = Pick<
  ResolvedAssertion,
  'issuer' | 'audience' | 'algorithms' | 'userClaim' | 'groupsClaim' | 'userHeaderPrefix' | 'clockToleranceSec' | 'maxTokenBytes'
>;

// Three base64url parts; the signature may be empty only for alg "none", which jose refuses.
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

const invalid = (why: AssertionInvalidWhy, detail: string): AssertionOutcome => ({ ok: false, failure: { reason: 'trusted_proxy_assertion_invalid', why }, detail });

function fromJoseError(err: unknown): AssertionOutcome {
  const e = err as { code?: string; claim?: string; message?: string };
  const msg = typeof e?.message === 'string' ? e.message : 'verification failed';
  switch (e?.code) {
    case 'MAYROS_KEYS_UNAVAILABLE':
      return { ok: false, failure: { reason: 'trusted_proxy_assertion_keys_unavailable' }, detail: msg };
    case 'ERR_JWT_EXPIRED':
      return { ok: false, failure: { reason: 'trusted_proxy_assertion_expired', why: 'expired' }, detail: msg };
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (e.claim === 'nbf') return { ok: false, failure: { reason: 'trusted_proxy_assertion_expired', why: 'not_yet_valid' }, detail: msg };
      if (e.claim === 'iss') return invalid('issuer', msg);
      if (e.claim === 'aud') return invalid('audience', msg);
      return invalid('claims', msg);
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return invalid('algorithm', msg);
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
    case 'ERR_JWK_INVALID':
    case 'ERR_JWKS_INVALID':
      return invalid('unknown_key', msg);
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return invalid('signature', msg);
    default:
      // ERR_JWS_INVALID, ERR_JWT_INVALID, and anything unexpected: refuse.
      return invalid('malformed', msg);
  }
}

/** An own claim only: a name such as "constructor" must not reach the prototype. */
function claimOf(payload: JWTPayload, name: string): unknown {
  return Object.hasOwn(payload, name) ? payload[name] : undefined;
}

function groupsOf(payload: JWTPayload, claim: string | undefined): readonly string[] | undefined {
  if (claim === undefined) return [];
  const v = claimOf(payload, claim);
  if (v === undefined) return [];
  // In NFC, the form allowGroups is compiled in.
  if (typeof v === 'string') return v ? [nfc(v)] : [];
  if (Array.isArray(v) && v.every((g) => typeof g === 'string')) return v.filter((g) => g !== '').map(nfc);
  return undefined;
}

/**
 * Verifies `token` against the key source and settings at time `now` (ms), and checks that its
 * user claim equals `headerUser` (after removing `userHeaderPrefix`). The identity returned is the
 * signed claim's value.
 */
export async function verifyAssertion(token: string, headerUser: string, keys: KeySource, opts: AssertionOptions, now: number): Promise<AssertionOutcome> {
  // Size first, before any decoding: a huge header must cost nothing.
  const bytes = Buffer.byteLength(token, 'utf8');
  if (bytes > opts.maxTokenBytes) return invalid('oversize', `token is ${bytes} bytes; maxTokenBytes is ${opts.maxTokenBytes}`);
  if (!COMPACT_JWS.test(token)) return invalid('malformed', 'not a compact JWS (three base64url parts)');

  let payload: JWTPayload;
  let alg: string | undefined;
  let kid: string | undefined;
  try {
    // Loaded on first use, so a gateway without assertions never loads jose (start-up time).
    const { jwtVerify } = await import('jose');
    const r = await jwtVerify(token, (h, t) => keys.getKey(h, t), {
      algorithms: [...opts.algorithms],
      issuer: opts.issuer,
      audience: [...opts.audience],
      clockTolerance: opts.clockToleranceSec,
      currentDate: new Date(now),
      // Without "exp" a token would never expire; every supported proxy sets both.
      requiredClaims: ['exp', 'iat'],
    });
    payload = r.payload;
    alg = r.protectedHeader.alg;
    kid = r.protectedHeader.kid;
  } catch (err) {
    return fromJoseError(err);
  }

  // jose checks "iat" only together with maxTokenAge; a token issued in the future is as suspect as a not-yet-valid one.
  const nowSec = Math.floor(now / 1000);
  if (typeof payload.iat === 'number' && payload.iat > nowSec + opts.clockToleranceSec) {
    return { ok: false, failure: { reason: 'trusted_proxy_assertion_expired', why: 'issued_in_future' }, detail: `"iat" is ${payload.iat - nowSec} s in the future` };
  }

  const claim = claimOf(payload, opts.userClaim);
  if (typeof claim !== 'string' || claim.trim() === '') return invalid('user_claim', `claim "${opts.userClaim}" is missing or not a non-empty string`);
  // In NFC, like the identity header (header-text.ts) and allowUsers.
  const claimed = nfc(claim);
  const groups = groupsOf(payload, opts.groupsClaim);
  if (!groups) return invalid('groups_claim', `claim "${opts.groupsClaim}" is not a string or a list of strings`);

  const prefix = opts.userHeaderPrefix === undefined ? undefined : nfc(opts.userHeaderPrefix);
  const fromHeader = prefix && headerUser.startsWith(prefix) ? headerUser.slice(prefix.length) : headerUser;
  if (fromHeader !== claimed) {
    return { ok: false, failure: { reason: 'trusted_proxy_assertion_user_mismatch' }, detail: `claim "${opts.userClaim}" = "${claimed}", header = "${fromHeader}"` };
  }
  const expIn = typeof payload.exp === 'number' ? payload.exp - nowSec : 0;
  return {
    ok: true,
    user: claimed,
    groups,
    detail: `${alg} signature valid${kid ? ` (kid ${kid.length > 16 ? `${kid.slice(0, 16)}…` : kid})` : ''}; iss and aud match; expires in ${expIn} s; "${opts.userClaim}" = "${claimed}" matches the header`,
  };
}
