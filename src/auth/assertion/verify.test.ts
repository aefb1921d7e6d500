import { SignJWT, exportSPKI } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { claims, jwksOf, makeSigner, unsignedToken, type TestSigner } from '../../../test/support/signing.js';
import { KeysUnavailableError, staticKeySource, type KeySource } from './key-source.js';
import { REASONS } from '../../protocol/reasons.js';
import { verifyAssertion, type AssertionOptions, type AssertionOutcome } from './verify.js';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const ISS = 'mayros.example.com';
const AUD = 'mayros.example.com';
const USER = 'nick@example.com';

const opts: AssertionOptions = {
  issuer: ISS,
  audience: [AUD],
  algorithms: ['ES256'],
  userClaim: 'email',
  groupsClaim: 'groups',
  userHeaderPrefix: undefined,
  clockToleranceSec: 30,
  maxTokenBytes: 8192,
};

let signer: TestSigner;
let stranger: TestSigner;
let keys: KeySource;

beforeAll(async () => {
  signer = await makeSigner('k1');
  stranger = await makeSigner('k1'); // same kid, different key: a forger who guessed the kid
  keys = staticKeySource(jwksOf(signer));
});

const good = (extra = {}) => claims(NOW, { iss: ISS, aud: AUD, email: USER, groups: ['ops', 'dev'], ...extra });

/** The outcome as one comparable string: ok:<user>:<groups> or <reason>[:<why>]. */
function code(o: AssertionOutcome): string {
  if (o.ok) return `ok:${o.user}:${o.groups.join('|')}`;
  return 'why' in o.failure ? `${o.failure.reason}:${o.failure.why}` : o.failure.reason;
}

async function check(token: string, headerUser = USER, o: AssertionOptions = opts, k: KeySource = keys, now = NOW): Promise<string> {
  return code(await verifyAssertion(token, headerUser, k, o, now));
}

describe('verifyAssertion', () => {
  it('accepts a valid token and returns the signed identity and groups', async () => {
    expect(await check(await signer.sign(good()))).toBe('ok:nick@example.com:ops|dev');
  });

  it('describes what it checked', async () => {
    const o = await verifyAssertion(await signer.sign(good()), USER, keys, opts, NOW);
    expect(o.detail).toMatch(/ES256 signature valid \(kid k1\).*expires in \d+ s/);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['expired', { exp: Math.floor(NOW / 1000) - 31 }, 'trusted_proxy_assertion_expired:expired'],
    ['expired, but within the clock tolerance', { exp: Math.floor(NOW / 1000) - 29 }, 'ok:nick@example.com:ops|dev'],
    ['not yet valid', { nbf: Math.floor(NOW / 1000) + 60 }, 'trusted_proxy_assertion_expired:not_yet_valid'],
    ['issued in the future', { iat: Math.floor(NOW / 1000) + 60, nbf: undefined }, 'trusted_proxy_assertion_expired:issued_in_future'],
    ['wrong issuer', { iss: 'evil.example.com' }, 'trusted_proxy_assertion_invalid:issuer'],
    ['no issuer', { iss: undefined }, 'trusted_proxy_assertion_invalid:issuer'],
    ['wrong audience', { aud: 'other.example.com' }, 'trusted_proxy_assertion_invalid:audience'],
    ['audience list holding ours', { aud: ['other.example.com', AUD] }, 'ok:nick@example.com:ops|dev'],
    ['no exp', { exp: undefined }, 'trusted_proxy_assertion_invalid:claims'],
    ['no iat', { iat: undefined }, 'trusted_proxy_assertion_invalid:claims'],
    ['no user claim', { email: undefined }, 'trusted_proxy_assertion_invalid:user_claim'],
    ['user claim not a string', { email: ['nick@example.com'] }, 'trusted_proxy_assertion_invalid:user_claim'],
    ['claim differs from the header', { email: 'eve@example.com' }, 'trusted_proxy_assertion_user_mismatch'],
    ['claim differs only in case', { email: 'Nick@example.com' }, 'trusted_proxy_assertion_user_mismatch'],
    ['groups as one string', { groups: 'ops' }, 'ok:nick@example.com:ops'],
    ['no groups claim', { groups: undefined }, 'ok:nick@example.com:'],
    ['groups of the wrong type', { groups: [1, 2] }, 'trusted_proxy_assertion_invalid:groups_claim'],
  ])('%s', async (_name, extra, want) => {
    expect(await check(await signer.sign(good(extra)))).toBe(want);
  });

  it('describes a token issued in the future as such, not as expired', async () => {
    const o = await verifyAssertion(await signer.sign(good({ iat: Math.floor(NOW / 1000) + 60, nbf: undefined })), USER, keys, opts, NOW);
    expect(o.ok).toBe(false);
    if (o.ok) return;
    expect(o.detail).toBe('"iat" is 60 s in the future');
    // The sentence a person sees (HTTP body, WebSocket error, Control UI, auth explain).
    expect(REASONS[o.failure.reason].message).toMatch(/issued in the future/);
  });

  it('refuses a token signed by another key with the same kid', async () => {
    expect(await check(await stranger.sign(good()))).toBe('trusted_proxy_assertion_invalid:signature');
  });

  it('refuses a token whose kid is not in the key set', async () => {
    expect(await check(await signer.sign(good(), { kid: 'k9' }))).toBe('trusted_proxy_assertion_invalid:unknown_key');
  });

  it('refuses a tampered payload', async () => {
    const [h, , s] = (await signer.sign(good())).split('.');
    const forged = Buffer.from(JSON.stringify(good({ email: 'eve@example.com' }))).toString('base64url');
    expect(await check(`${h}.${forged}.${s}`, 'eve@example.com')).toBe('trusted_proxy_assertion_invalid:signature');
  });

  it('refuses alg "none"', async () => {
    expect(await check(unsignedToken(good()))).toBe('trusted_proxy_assertion_invalid:algorithm');
  });

  it('refuses HS256 signed with the public key as the secret (algorithm confusion)', async () => {
    const pem = await exportSPKI(signer.publicKey);
    for (const secret of [pem, JSON.stringify(signer.jwk)]) {
      const token = await new SignJWT(good()).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).sign(new TextEncoder().encode(secret));
      expect(await check(token)).toBe('trusted_proxy_assertion_invalid:algorithm');
    }
  });

  it('refuses an algorithm the key set could verify but the config does not allow', async () => {
    const es384 = await makeSigner('k384', 'ES384');
    const both = staticKeySource(jwksOf(signer, es384));
    expect(await check(await es384.sign(good()), USER, opts, both)).toBe('trusted_proxy_assertion_invalid:algorithm');
    expect(await check(await es384.sign(good()), USER, { ...opts, algorithms: ['ES256', 'ES384'] }, both)).toBe('ok:nick@example.com:ops|dev');
  });

  it('refuses an oversize token before decoding it', async () => {
    const token = await signer.sign(good({ pad: 'x'.repeat(9000) }));
    const o = await verifyAssertion(token, USER, keys, opts, NOW);
    expect(code(o)).toBe('trusted_proxy_assertion_invalid:oversize');
    expect(await check(token, USER, { ...opts, maxTokenBytes: 16384 })).toBe('ok:nick@example.com:ops|dev');
  });

  it.each([['garbage'], ['a.b'], ['a.b.c.d'], ['eyJ.eyJ.sig with space'], ['....']])('refuses malformed %j', async (token) => {
    expect(await check(token)).toBe('trusted_proxy_assertion_invalid:malformed');
  });

  it('strips the configured prefix from the header before comparing (Google IAP)', async () => {
    const iap = { ...opts, userHeaderPrefix: 'accounts.google.com:' };
    const token = await signer.sign(good());
    expect(await check(token, `accounts.google.com:${USER}`, iap)).toBe('ok:nick@example.com:ops|dev');
    expect(await check(token, USER, iap)).toBe('ok:nick@example.com:ops|dev');
    expect(await check(token, 'accounts.google.com:eve@example.com', iap)).toBe('trusted_proxy_assertion_user_mismatch');
    // Without the setting, the prefixed header does not match.
    expect(await check(token, `accounts.google.com:${USER}`)).toBe('trusted_proxy_assertion_user_mismatch');
  });

  it('reads only own claims, never the prototype', async () => {
    expect(await check(await signer.sign(good()), USER, { ...opts, userClaim: 'constructor' })).toBe('trusted_proxy_assertion_invalid:user_claim');
    expect(await check(await signer.sign(good()), USER, { ...opts, groupsClaim: 'toString' })).toBe('ok:nick@example.com:');
  });

  it('compares and returns claims in NFC, as the identity header and allowUsers are', async () => {
    // The header user reaches verification already decoded and in NFC (header-text.ts).
    const token = await signer.sign(good({ email: 'ju\u0308rgen@example.com', groups: ['A\u0308rzte'] }));
    expect(await check(token, 'jürgen@example.com')).toBe('ok:jürgen@example.com:Ärzte');
  });

  it('reads the user from the configured claim', async () => {
    expect(await check(await signer.sign(good({ sub: 'u-123' })), 'u-123', { ...opts, userClaim: 'sub' })).toBe('ok:u-123:ops|dev');
  });

  it('fails closed when keys are unavailable', async () => {
    const down: KeySource = { getKey: () => Promise.reject(new KeysUnavailableError('connection refused')), readiness: () => ({ ready: false, detail: 'x' }) };
    expect(await check(await signer.sign(good()), USER, opts, down)).toBe('trusted_proxy_assertion_keys_unavailable');
  });

  it('refuses when the key source fails in an unexpected way', async () => {
    const broken: KeySource = { getKey: () => Promise.reject(new Error('boom')), readiness: () => ({ ready: true }) };
    expect(await check(await signer.sign(good()), USER, opts, broken)).toBe('trusted_proxy_assertion_invalid:malformed');
  });

  it('does not consult the key source for a token in a disallowed algorithm', async () => {
    let calls = 0;
    const counting: KeySource = { getKey: (h, t) => (calls++, keys.getKey(h, t)), readiness: () => ({ ready: true }) };
    await check(unsignedToken(good()), USER, opts, counting);
    await check(await new SignJWT(good()).setProtectedHeader({ alg: 'HS256' }).sign(new Uint8Array(32)), USER, opts, counting);
    expect(calls).toBe(0);
    await check(await signer.sign(good()), USER, opts, counting);
    expect(calls).toBe(1);
  });
});

describe('staticKeySource', () => {
  it.each<[string, unknown]>([
    ['not a key set', { foo: 1 }],
    ['an empty key set', { keys: [] }],
    ['a private key', { keys: [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b', d: 'c' }] }],
    ['a symmetric key', { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] }],
  ])('refuses %s', (_n, jwks) => {
    expect(() => staticKeySource(jwks as never)).toThrow(TypeError);
  });
});
