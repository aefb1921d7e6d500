import { beforeAll, describe, expect, it } from 'vitest';
import { viaTcp } from '../net/transport.js';
import { authorize, authorizeAsync } from './authorize.js';
import { validated } from '../config/validate.js';
import { compileAuthPolicy } from './policy.js';
import { wireCode } from '../protocol/reasons.js';
import type { AuthResult, HeaderMap, TraceStep } from './types.js';
import type { AssertionOutcome } from './assertion/verify.js';
import { staticKeySource, type KeySource } from './assertion/key-source.js';
import { parseConfigObject } from '../config/parse.js';
import { claims, jwksOf, makeSigner, type TestSigner } from '../../test/support/signing.js';

function policy(trustedProxy: Record<string, unknown>) {
  return compileAuthPolicy(validated(parseConfigObject({ gateway: { trustedProxies: ['10.0.0.1'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user', ...trustedProxy } } } })));
}

const code = (r: AuthResult) => (r.ok ? `ok:${r.identity.user}:${r.identity.groups.join('|')}` : wireCode(r.failure));
const user = { 'x-forwarded-user': 'nick@example.com' };

describe('groups and allowGroups (groups from a header)', () => {
  const p = policy({ groupsHeader: 'x-forwarded-groups', allowUsers: ['ana@example.com'], allowGroups: ['ops', 'sre'] });
  const tp = (headers: HeaderMap) => code(authorize({ via: viaTcp('10.0.0.1'), headers, surface: 'http' }, p));

  it.each<[string, HeaderMap, string]>([
    ['in an allowed group', { ...user, 'x-forwarded-groups': 'dev,ops' }, 'ok:nick@example.com:dev|ops'],
    ['separator with spaces, empties and repeats', { ...user, 'x-forwarded-groups': ' dev , ,sre,dev' }, 'ok:nick@example.com:dev|sre'],
    ['in no allowed group', { ...user, 'x-forwarded-groups': 'dev,qa' }, 'trusted_proxy_user_not_allowed'],
    ['group matched exactly, not by case', { ...user, 'x-forwarded-groups': 'OPS' }, 'trusted_proxy_user_not_allowed'],
    ['no groups header', user, 'trusted_proxy_user_not_allowed'],
    ['listed user without groups', { 'x-forwarded-user': 'ana@example.com' }, 'ok:ana@example.com:'],
    ['groups header twice', { ...user, 'x-forwarded-groups': ['dev', 'ops'] }, 'trusted_proxy_groups_ambiguous'],
  ])('%s', (_n, headers, want) => {
    expect(tp(headers)).toBe(want);
  });

  it('an untrusted peer is refused before groups are read', () => {
    expect(code(authorize({ via: viaTcp('10.0.0.2'), headers: { ...user, 'x-forwarded-groups': 'ops' }, surface: 'http' }, p))).toBe('trusted_proxy_untrusted_source');
  });

  it('honours a custom separator', () => {
    const semi = policy({ groupsHeader: 'x-g', groupsSeparator: ';', allowGroups: ['a,b'] });
    expect(code(authorize({ via: viaTcp('10.0.0.1'), headers: { ...user, 'x-g': 'a,b;c' }, surface: 'http' }, semi))).toBe('ok:nick@example.com:a,b|c');
  });

  it('both lists empty admits anyone, with the groups reported', () => {
    const open = policy({ groupsHeader: 'x-g' });
    expect(code(authorize({ via: viaTcp('10.0.0.1'), headers: { ...user, 'x-g': 'x' }, surface: 'ws' }, open))).toBe('ok:nick@example.com:x');
  });

  it('traces the groups it saw', () => {
    const trace: TraceStep[] = [];
    authorize({ via: viaTcp('10.0.0.1'), headers: { ...user, 'x-forwarded-groups': 'dev,qa' }, surface: 'http' }, p, trace);
    expect(trace.map((s) => `${s.step}:${s.ok}`)).toEqual(['source:true', 'identity:true', 'groups:true', 'allowlist:false']);
    expect(trace[2]!.detail).toBe('from x-forwarded-groups: "dev", "qa"');
  });
});

describe('the decision with a signed assertion', () => {
  const p = policy({ assertion: { preset: 'pomerium', audience: 'mayros.example.com', jwksFile: '/unused' }, allowGroups: ['ops'] });
  const token = { 'x-pomerium-jwt-assertion': 'eyJ.eyJ.sig' };
  const verified = (u: string, groups: string[]): AssertionOutcome => ({ ok: true, user: u, groups, detail: 'verified' });
  const decide = (headers: HeaderMap, assertion?: AssertionOutcome, peer = '10.0.0.1') => code(authorize({ via: viaTcp(peer), headers, surface: 'http', assertion }, p));

  it.each<[string, HeaderMap, AssertionOutcome | undefined, string]>([
    ['verified, in an allowed group', { ...user, ...token }, verified('nick@example.com', ['ops']), 'ok:nick@example.com:ops'],
    ['verified, in no allowed group', { ...user, ...token }, verified('nick@example.com', ['dev']), 'trusted_proxy_user_not_allowed'],
    ['a groups header cannot add groups', { ...user, ...token, 'x-forwarded-groups': 'ops' }, verified('nick@example.com', []), 'trusted_proxy_user_not_allowed'],
    ['not verified: fail closed', { ...user, ...token }, undefined, 'trusted_proxy_assertion_invalid'],
    ['assertion missing', user, verified('nick@example.com', ['ops']), 'trusted_proxy_assertion_missing'],
    ['assertion blank', { ...user, 'x-pomerium-jwt-assertion': '  ' }, verified('nick@example.com', ['ops']), 'trusted_proxy_assertion_missing'],
    ['assertion twice', { ...user, 'x-pomerium-jwt-assertion': ['a.b.c', 'a.b.c'] }, verified('nick@example.com', ['ops']), 'trusted_proxy_assertion_ambiguous'],
    ['two assertions joined by a comma', { ...user, 'x-pomerium-jwt-assertion': 'a.b.c, d.e.f' }, verified('nick@example.com', ['ops']), 'trusted_proxy_assertion_ambiguous'],
    ['identity header still required', token, verified('nick@example.com', ['ops']), 'trusted_proxy_user_missing'],
    ['failure passes through', { ...user, ...token }, { ok: false, failure: { reason: 'trusted_proxy_assertion_expired', why: 'expired' }, detail: '' }, 'trusted_proxy_assertion_expired'],
  ])('%s', (_n, headers, outcome, want) => {
    expect(decide(headers, outcome)).toBe(want);
  });

  it('checks the source before the assertion', () => {
    expect(decide({ ...user, ...token }, verified('nick@example.com', ['ops']), '10.0.0.9')).toBe('trusted_proxy_untrusted_source');
  });
});

describe('authorizeAsync', () => {
  let signer: TestSigner;
  let keys: KeySource;
  const NOW = Date.UTC(2026, 0, 15, 12);
  const p = policy({ assertion: { preset: 'pomerium', audience: 'mayros.example.com', jwksFile: '/unused' }, allowUsers: ['nick@example.com'] });

  beforeAll(async () => {
    signer = await makeSigner('k1');
    keys = staticKeySource(jwksOf(signer));
  });

  it('stays synchronous when no assertion is configured', () => {
    const r = authorizeAsync({ via: viaTcp('10.0.0.1'), headers: user, surface: 'http' }, policy({}), undefined, NOW);
    expect(r).not.toBeInstanceOf(Promise);
    expect(code(r as AuthResult)).toBe('ok:nick@example.com:');
  });

  it('stays synchronous for a request refused before the assertion, and does not touch the keys', () => {
    let calls = 0;
    const counting: KeySource = { getKey: (h, t) => (calls++, keys.getKey(h, t)), readiness: () => ({ ready: true }) };
    const r = authorizeAsync({ via: viaTcp('10.0.0.2'), headers: user, surface: 'http' }, p, counting, NOW);
    expect(r).not.toBeInstanceOf(Promise);
    expect(code(r as AuthResult)).toBe('trusted_proxy_untrusted_source');
    expect(calls).toBe(0);
  });

  it('verifies and decides, tracing every step', async () => {
    const jwt = await signer.sign(claims(NOW, { iss: 'mayros.example.com', aud: 'mayros.example.com', email: 'nick@example.com', groups: ['ops'] }));
    const trace: TraceStep[] = [];
    const r = authorizeAsync({ via: viaTcp('10.0.0.1'), headers: { ...user, 'x-pomerium-jwt-assertion': jwt }, surface: 'ws' }, p, keys, NOW, trace);
    expect(r).toBeInstanceOf(Promise);
    expect(code(await r)).toBe('ok:nick@example.com:ops');
    expect(trace.map((s) => s.step)).toEqual(['source', 'identity', 'assertion', 'groups', 'allowlist']);
    expect(trace[2]!.detail).toContain('ES256 signature valid');
  });

  it('refuses a valid token for another user than the header names', async () => {
    const jwt = await signer.sign(claims(NOW, { iss: 'mayros.example.com', aud: 'mayros.example.com', email: 'eve@example.com' }));
    const r = await authorizeAsync({ via: viaTcp('10.0.0.1'), headers: { ...user, 'x-pomerium-jwt-assertion': jwt }, surface: 'http' }, p, keys, NOW);
    expect(code(r)).toBe('trusted_proxy_assertion_user_mismatch');
  });

  it('fails closed without a key source', () => {
    const r = authorizeAsync({ via: viaTcp('10.0.0.1'), headers: { ...user, 'x-pomerium-jwt-assertion': 'a.b.c' }, surface: 'http' }, p, undefined, NOW);
    expect(code(r as AuthResult)).toBe('trusted_proxy_assertion_keys_unavailable');
  });
});

describe('non-ASCII names (UTF-8 on the wire, compared in NFC)', () => {
  /** A header value as Node hands it over: the UTF-8 bytes, one char per byte. */
  const wire = (text: string) => Buffer.from(text, 'utf8').toString('latin1');
  const decide = (p: ReturnType<typeof policy>, headers: HeaderMap) => authorize({ via: viaTcp('10.0.0.1'), headers, surface: 'http' }, p);

  it.each<[string, string[], HeaderMap, string]>([
    ['a UTF-8 name listed in NFC', ['jürgen@example.com'], { 'x-forwarded-user': wire('jürgen@example.com') }, 'ok:jürgen@example.com:'],
    ['the NFD spelling of a listed name', ['jürgen@example.com'], { 'x-forwarded-user': wire('ju\u0308rgen@example.com') }, 'ok:jürgen@example.com:'],
    ['a name listed in NFD, sent in NFC', ['ju\u0308rgen@example.com'], { 'x-forwarded-user': wire('jürgen@example.com') }, 'ok:jürgen@example.com:'],
    ['surrounding spaces trimmed after decoding', ['voilà@example.com'], { 'x-forwarded-user': wire(' voilà@example.com ') }, 'ok:voilà@example.com:'],
    ['a name ending in byte 0xA0 is not cut', ['voilà'], { 'x-forwarded-user': wire('voilà') }, 'ok:voilà:'],
    ['the Latin-1 bytes of a listed name are refused', ['jürgen@example.com'], { 'x-forwarded-user': 'j\xfcrgen@example.com' }, 'trusted_proxy_header_invalid_utf8'],
    ['another non-ASCII name', ['jürgen@example.com'], { 'x-forwarded-user': wire('jörg@example.com') }, 'trusted_proxy_user_not_allowed'],
  ])('%s', (_n, allowUsers, headers, want) => {
    expect(code(decide(policy({ allowUsers }), headers))).toBe(want);
  });

  it('decodes the groups header too, and names the header of an invalid one', () => {
    const p = policy({ groupsHeader: 'x-forwarded-groups', allowGroups: ['Ärzte'] });
    expect(code(decide(p, { 'x-forwarded-user': 'nick', 'x-forwarded-groups': wire('dev,A\u0308rzte') }))).toBe('ok:nick:dev|Ärzte');
    const bad = decide(p, { 'x-forwarded-user': 'nick', 'x-forwarded-groups': '\xc4rzte' });
    expect(bad).toEqual({ ok: false, failure: { reason: 'trusted_proxy_header_invalid_utf8', header: 'x-forwarded-groups' } });
  });

  it('traces the invalid header for explain', () => {
    const trace: TraceStep[] = [];
    authorize({ via: viaTcp('10.0.0.1'), headers: { 'x-forwarded-user': 'j\xfcrgen' }, surface: 'http' }, policy({}), trace);
    expect(trace.at(-1)).toMatchObject({ step: 'identity', ok: false, header: 'x-forwarded-user', detail: 'x-forwarded-user is not valid UTF-8' });
  });
});
