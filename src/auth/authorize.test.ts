import { describe, expect, it } from 'vitest';
import { viaTcp } from '../net/transport.js';
import { authorize, countsAsFailedAttempt } from './authorize.js';
import { validated } from '../config/validate.js';
import { compileAuthPolicy } from './policy.js';
import { wireCode } from '../protocol/reasons.js';
import type { AuthInput, HeaderMap, TraceStep } from './types.js';
import { parseConfigObject } from '../config/parse.js';

function policy(gateway: Record<string, unknown>) {
  return compileAuthPolicy(validated(parseConfigObject({ gateway })));
}

const proxy = policy({
  trustedProxies: ['10.0.0.1', '172.17.0.0/16', '::1'],
  auth: {
    mode: 'trusted-proxy',
    trustedProxy: { userHeader: 'x-forwarded-user', requiredHeaders: ['x-forwarded-proto', 'x-forwarded-host'], allowUsers: ['nick@example.com', 'ana@example.com'] },
  },
});

const good: HeaderMap = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'mayros.example.com', 'x-forwarded-user': 'nick@example.com' };

function tp(peer: string, headers: HeaderMap): string {
  const r = authorize({ via: viaTcp(peer), headers, surface: 'http' }, proxy);
  return r.ok ? `ok:${r.identity.user}` : wireCode(r.failure);
}

describe('trusted-proxy decision', () => {
  it.each<[string, string, HeaderMap, string]>([
    ['authorized from an exact entry', '10.0.0.1', good, 'ok:nick@example.com'],
    ['authorized from a CIDR entry', '172.17.3.4', good, 'ok:nick@example.com'],
    ['authorized from IPv6 loopback', '::1', good, 'ok:nick@example.com'],
    ['authorized from an IPv4-mapped peer', '::ffff:10.0.0.1', good, 'ok:nick@example.com'],
    ['value is trimmed', '10.0.0.1', { ...good, 'x-forwarded-user': '  ana@example.com ' }, 'ok:ana@example.com'],
    ['untrusted peer', '10.0.0.2', good, 'trusted_proxy_untrusted_source'],
    ['untrusted peer just outside the CIDR', '172.18.0.1', good, 'trusted_proxy_untrusted_source'],
    ['untrusted peer, even with a trusted X-Forwarded-For', '127.0.0.2', { ...good, 'x-forwarded-for': '10.0.0.1' }, 'trusted_proxy_untrusted_source'],
    ['peer that is not an IP', 'garbage', good, 'trusted_proxy_untrusted_source'],
    ['first required header missing', '10.0.0.1', { 'x-forwarded-host': 'h', 'x-forwarded-user': 'nick@example.com' }, 'trusted_proxy_missing_header_x-forwarded-proto'],
    ['second required header blank', '10.0.0.1', { ...good, 'x-forwarded-host': '   ' }, 'trusted_proxy_missing_header_x-forwarded-host'],
    ['required header in underscore spelling', '10.0.0.1', { 'x_forwarded_proto': 'https', 'x-forwarded-host': 'h', 'x-forwarded-user': 'nick@example.com' }, 'trusted_proxy_missing_header_x-forwarded-proto'],
    ['user header missing', '10.0.0.1', { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'h' }, 'trusted_proxy_user_missing'],
    ['user header blank', '10.0.0.1', { ...good, 'x-forwarded-user': ' \t' }, 'trusted_proxy_user_missing'],
    ['user header only in underscore spelling', '10.0.0.1', { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'h', 'x_forwarded_user': 'nick@example.com' }, 'trusted_proxy_user_missing'],
    ['user header twice', '10.0.0.1', { ...good, 'x-forwarded-user': ['nick@example.com', 'ana@example.com'] }, 'trusted_proxy_user_ambiguous'],
    ['user header twice with the same value', '10.0.0.1', { ...good, 'x-forwarded-user': ['nick@example.com', 'nick@example.com'] }, 'trusted_proxy_user_ambiguous'],
    ['user header joined with a comma', '10.0.0.1', { ...good, 'x-forwarded-user': 'evil@example.com, nick@example.com' }, 'trusted_proxy_user_ambiguous'],
    ['user not allowed', '10.0.0.1', { ...good, 'x-forwarded-user': 'eve@example.com' }, 'trusted_proxy_user_not_allowed'],
    ['user allowed only in another case', '10.0.0.1', { ...good, 'x-forwarded-user': 'Nick@Example.com' }, 'trusted_proxy_user_not_allowed'],
  ])('%s', (_name, peer, headers, want) => {
    expect(tp(peer, headers)).toBe(want);
  });

  it('checks the source before anything else', () => {
    expect(tp('10.9.9.9', {})).toBe('trusted_proxy_untrusted_source');
  });

  it('admits any authenticated user when allowUsers is empty', () => {
    const open = policy({ trustedProxies: ['10.0.0.1'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-user' } } });
    expect(authorize({ via: viaTcp('10.0.0.1'), headers: { 'x-user': 'anyone' }, surface: 'ws' }, open)).toEqual({ ok: true, identity: { user: 'anyone', method: 'trusted-proxy', groups: [] } });
  });

  it('ignores credentials: a token cannot replace the proxy', () => {
    const r = authorize({ via: viaTcp('10.0.0.2'), headers: good, credentials: { bearer: 'x', token: 'x' }, surface: 'http' }, proxy);
    expect(r.ok).toBe(false);
  });

  it('records every step in a trace when asked', () => {
    const trace: TraceStep[] = [];
    authorize({ via: viaTcp('172.17.0.9'), headers: good, surface: 'http' }, proxy, trace);
    expect(trace.map((s) => s.step)).toEqual(['source', 'required-header', 'required-header', 'identity', 'allowlist']);
    expect(trace[0]!.detail).toContain('172.17.0.0/16');
    expect(trace.every((s) => s.ok)).toBe(true);
  });
});

describe('token and password decisions', () => {
  const token = policy({ auth: { mode: 'token', token: 'correct-horse-battery-staple' } });
  const password = policy({ auth: { mode: 'password', password: 'hunter2hunter2' } });
  const base: AuthInput = { via: viaTcp('127.0.0.1'), headers: {}, surface: 'http' };
  const code = (r: ReturnType<typeof authorize>) => (r.ok ? `ok:${r.identity.method}` : wireCode(r.failure));

  it.each<[string, AuthInput, string]>([
    ['no token', base, 'token_missing'],
    ['empty token', { ...base, credentials: { bearer: '' } }, 'token_missing'],
    ['wrong bearer', { ...base, credentials: { bearer: 'nope' } }, 'token_mismatch'],
    ['prefix of the token', { ...base, credentials: { bearer: 'correct-horse' } }, 'token_mismatch'],
    ['right bearer', { ...base, credentials: { bearer: 'correct-horse-battery-staple' } }, 'ok:token'],
    ['right token in connect frame', { ...base, surface: 'ws', credentials: { token: 'correct-horse-battery-staple' } }, 'ok:token'],
    ['a password is not a token', { ...base, credentials: { password: 'correct-horse-battery-staple' } }, 'token_missing'],
    ['locked out, even with the right token', { ...base, lockedForMs: 5000, credentials: { bearer: 'correct-horse-battery-staple' } }, 'rate_limited'],
  ])('token mode: %s', (_n, input, want) => {
    expect(code(authorize(input, token))).toBe(want);
  });

  it.each<[string, AuthInput, string]>([
    ['no password', base, 'password_missing'],
    ['wrong password', { ...base, credentials: { password: 'hunter3' } }, 'password_mismatch'],
    ['right password by bearer', { ...base, credentials: { bearer: 'hunter2hunter2' } }, 'ok:password'],
    ['right password in connect frame', { ...base, credentials: { password: 'hunter2hunter2' } }, 'ok:password'],
    ['locked out', { ...base, lockedForMs: 1, credentials: { password: 'hunter2hunter2' } }, 'rate_limited'],
  ])('password mode: %s', (_n, input, want) => {
    expect(code(authorize(input, password))).toBe(want);
  });

  it('carries the retry delay', () => {
    const r = authorize({ ...base, lockedForMs: 4321 }, token);
    expect(r).toEqual({ ok: false, failure: { reason: 'rate_limited', retryAfterMs: 4321 } });
  });

  it('fails closed when no secret is configured', () => {
    const unset = compileAuthPolicy(validated(parseConfigObject({ gateway: { auth: { mode: 'token' } } })));
    expect(code(authorize({ ...base, credentials: { bearer: 'anything' } }, unset))).toBe('token_mismatch');
  });

  it('counts only wrong secrets as failed attempts', () => {
    expect(countsAsFailedAttempt(authorize({ ...base, credentials: { bearer: 'x' } }, token))).toBe(true);
    expect(countsAsFailedAttempt(authorize(base, token))).toBe(false);
    expect(countsAsFailedAttempt(authorize({ ...base, credentials: { bearer: 'correct-horse-battery-staple' } }, token))).toBe(false);
  });

  it('mode none admits everyone', () => {
    expect(code(authorize(base, policy({ auth: { mode: 'none' } })))).toBe('ok:none');
  });
});
