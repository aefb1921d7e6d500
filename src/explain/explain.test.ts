import { describe, expect, it } from 'vitest';
import { parseConfigObject } from '../config/parse.js';
import type { ConfigInput } from '../config/schema.js';
import { resolvedConfig, type ResolvedConfig } from '../config/load.js';
import { explainRequest } from './explain.js';
import { ExplainInputError, parseHeaderArgs } from './input.js';
import type { ExplainRequest, ExplainStep } from './types.js';

function resolved(gateway: NonNullable<ConfigInput['gateway']>): ResolvedConfig {
  return resolvedConfig({ file: '/etc/mayros/mayros.json', fileFound: true, stateDir: '/tmp/none', config: parseConfigObject({ gateway }), sources: new Map() });
}

const TP = resolved({
  trustedProxies: ['10.0.0.0/24', '127.0.0.1'],
  auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user', requiredHeaders: ['x-forwarded-proto', 'x-forwarded-host'], allowUsers: ['nick@example.com'] } },
});
const TOKEN = resolved({ trustedProxies: ['127.0.0.1'], auth: { mode: 'token', token: 'the-right-token-0123456789' } });

const GOOD = ['X-Forwarded-Proto: https', 'X-Forwarded-Host: mayros.example.com', 'X-Forwarded-User: nick@example.com'];

function steps(r: ResolvedConfig, req: ExplainRequest, kind?: string): ExplainStep[] {
  const all = explainRequest(r, req).steps;
  return kind ? all.filter((s) => s.step === kind) : all;
}

describe('auth explain: trusted-proxy steps', () => {
  it('source: names the trustedProxies entry the peer matched', () => {
    const [s] = steps(TP, { from: '10.0.0.7', headers: GOOD }, 'source');
    expect(s).toMatchObject({ result: 'pass', entry: '10.0.0.0/24' });
    expect(s!.detail).toContain('10.0.0.7');
  });

  it('source: says no entry matched, and lists the entries', () => {
    const e = explainRequest(TP, { from: '192.0.2.1', headers: GOOD });
    expect(e.steps.find((s) => s.step === 'source')).toMatchObject({ result: 'fail' });
    expect(e.steps.find((s) => s.step === 'hint')!.detail).toContain('"10.0.0.0/24", "127.0.0.1"');
    expect(e.outcome).toMatchObject({ ok: false, code: 'trusted_proxy_untrusted_source', http: { status: 401 }, websocket: { admitted: false, closeCode: 1008, stage: 'upgrade' } });
  });

  it('source: normalises an IPv4-mapped peer before matching', () => {
    expect(steps(TP, { from: '::ffff:10.0.0.9', headers: GOOD }, 'source')[0]).toMatchObject({ result: 'pass', entry: '10.0.0.0/24' });
  });

  it('source: points out ::1 when only 127.0.0.1 is listed', () => {
    const hints = steps(TP, { from: '::1', headers: GOOD }, 'hint').map((h) => h.detail);
    expect(hints.join('\n')).toContain('127.0.0.1 is trusted but ::1 is not');
  });

  it('required headers: each one found, in order', () => {
    const req = steps(TP, { from: '10.0.0.7', headers: GOOD }, 'required-header');
    expect(req.map((s) => [s.header, s.result])).toEqual([
      ['x-forwarded-proto', 'pass'],
      ['x-forwarded-host', 'pass'],
    ]);
  });

  it('required headers: a missing one fails with its wire code, the rest are not reached', () => {
    const e = explainRequest(TP, { from: '10.0.0.7', headers: ['X-Forwarded-Proto: https', 'X-Forwarded-User: nick@example.com'] });
    expect(e.steps.filter((s) => s.step !== 'mode' && s.step !== 'hint').map((s) => [s.step, s.result, s.header])).toEqual([
      ['source', 'pass', undefined],
      ['required-header', 'pass', 'x-forwarded-proto'],
      ['required-header', 'fail', 'x-forwarded-host'],
      ['identity', 'not-reached', 'x-forwarded-user'],
      ['allowlist', 'not-reached', undefined],
    ]);
    expect(e.outcome.code).toBe('trusted_proxy_missing_header_x-forwarded-host');
    expect(e.outcome.docs).toBe('docs/troubleshooting.md#trusted_proxy_missing_header_name');
  });

  it('required headers: a blank one fails', () => {
    const [, s] = steps(TP, { from: '10.0.0.7', headers: ['X-Forwarded-Proto: https', 'X-Forwarded-Host:   ', 'X-Forwarded-User: nick@example.com'] }, 'required-header');
    expect(s).toMatchObject({ result: 'fail', header: 'x-forwarded-host' });
    expect(s!.detail).toContain('blank');
  });

  it('identity: the user read, from which header', () => {
    expect(steps(TP, { from: '10.0.0.7', headers: GOOD }, 'identity')[0]).toMatchObject({ result: 'pass', header: 'x-forwarded-user', user: 'nick@example.com' });
  });

  it('identity: missing, with the underscore spelling pointed out', () => {
    const e = explainRequest(TP, { from: '10.0.0.7', headers: [...GOOD.slice(0, 2), 'X_Forwarded_User: nick@example.com'] });
    expect(e.steps.find((s) => s.step === 'identity')).toMatchObject({ result: 'fail', header: 'x-forwarded-user' });
    expect(e.steps.find((s) => s.step === 'hint')!.detail).toContain('"x_forwarded_user" was sent');
    expect(e.outcome.code).toBe('trusted_proxy_user_missing');
  });

  it('identity: a near-miss header name is pointed out', () => {
    const hints = steps(TP, { from: '10.0.0.7', headers: [...GOOD.slice(0, 2), 'X-Forwarded-Usr: nick@example.com'] }, 'hint');
    expect(hints.map((h) => h.detail).join('\n')).toContain('"x-forwarded-usr" was sent');
  });

  it('identity: a repeated --header is sent twice and makes the identity ambiguous', () => {
    const e = explainRequest(TP, { from: '10.0.0.7', headers: [...GOOD, 'X-Forwarded-User: admin@example.com'] });
    expect(e.request.headers['x-forwarded-user']).toEqual(['nick@example.com', 'admin@example.com']);
    expect(e.steps.find((s) => s.step === 'identity')).toMatchObject({ result: 'fail' });
    expect(e.outcome.code).toBe('trusted_proxy_user_ambiguous');
  });

  it('identity: a comma-joined value is ambiguous', () => {
    const e = explainRequest(TP, { from: '10.0.0.7', headers: [...GOOD.slice(0, 2), 'X-Forwarded-User: admin@example.com, nick@example.com'] });
    expect(e.outcome.code).toBe('trusted_proxy_user_ambiguous');
  });

  it('allowlist: admitted user', () => {
    const e = explainRequest(TP, { from: '10.0.0.7', headers: GOOD });
    expect(e.steps.find((s) => s.step === 'allowlist')).toMatchObject({ result: 'pass', user: 'nick@example.com' });
    expect(e.outcome).toMatchObject({ ok: true, user: 'nick@example.com', method: 'trusted-proxy', http: { status: 200 }, websocket: { admitted: true } });
  });

  it('allowlist: refused user, with a letter-case near match pointed out', () => {
    const e = explainRequest(TP, { from: '10.0.0.7', headers: [...GOOD.slice(0, 2), 'X-Forwarded-User: Nick@Example.com'] });
    expect(e.steps.find((s) => s.step === 'allowlist')).toMatchObject({ result: 'fail', user: 'Nick@Example.com' });
    expect(e.steps.find((s) => s.step === 'hint')!.detail).toContain('only in letter case');
    expect(e.outcome).toMatchObject({ ok: false, code: 'trusted_proxy_user_not_allowed', http: { status: 403, errorType: 'forbidden' }, websocket: { closeCode: 1008 } });
  });

  it('allowlist: empty list admits any user and says so', () => {
    const open = resolved({ trustedProxies: ['10.0.0.0/24'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user' } } });
    const [s] = steps(open, { from: '10.0.0.7', headers: ['X-Forwarded-User: anyone'] }, 'allowlist');
    expect(s).toMatchObject({ result: 'pass' });
    expect(s!.detail).toContain('any authenticated user');
  });

  it('origin: a browser WebSocket from a foreign origin is refused before authentication', () => {
    const e = explainRequest(TP, { from: '10.0.0.7', headers: [...GOOD, 'Origin: https://evil.example'] });
    expect(e.steps.find((s) => s.step === 'origin')).toMatchObject({ result: 'fail' });
    expect(e.outcome).toMatchObject({ ok: true, http: { status: 200 }, websocket: { admitted: false, code: 'origin_not_allowed', closeCode: 1008 } });
  });

  it('origin: the forwarded host of a trusted proxy counts as the gateway\'s own', () => {
    const e = explainRequest(TP, { from: '10.0.0.7', headers: [...GOOD, 'Origin: https://mayros.example.com'] });
    expect(e.steps.find((s) => s.step === 'origin')).toMatchObject({ result: 'pass' });
    expect(e.outcome.websocket.admitted).toBe(true);
  });
});

describe('auth explain: token mode', () => {
  it('missing token', () => {
    const e = explainRequest(TOKEN, { from: '127.0.0.1' });
    expect(e.steps.find((s) => s.step === 'token')).toMatchObject({ result: 'fail' });
    expect(e.outcome).toMatchObject({ code: 'token_missing', http: { status: 401 }, websocket: { admitted: false, stage: 'connect', closeCode: 1008 } });
  });

  it('--bearer is compared and never echoed', () => {
    const wrong = 'wrong-SECRET-value-987';
    const e = explainRequest(TOKEN, { from: '127.0.0.1', bearer: wrong });
    expect(e.outcome.code).toBe('token_mismatch');
    expect(e.request.bearer).toBe('presented');
    expect(JSON.stringify(e)).not.toContain(wrong);
    const ok = explainRequest(TOKEN, { from: '127.0.0.1', bearer: 'the-right-token-0123456789' });
    expect(ok.outcome).toMatchObject({ ok: true, method: 'token' });
    expect(JSON.stringify(ok)).not.toContain('the-right-token');
  });

  it('an Authorization header is read like the gateway reads it, and hidden', () => {
    const e = explainRequest(TOKEN, { from: '127.0.0.1', headers: ['Authorization: Bearer the-right-token-0123456789'] });
    expect(e.outcome.ok).toBe(true);
    expect(e.request.headers['authorization']).toBe('(hidden)');
    expect(JSON.stringify(e)).not.toContain('the-right-token');
    const twice = explainRequest(TOKEN, { from: '127.0.0.1', headers: ['Authorization: Bearer the-right-token-0123456789', 'Authorization: Bearer x'] });
    expect(twice.outcome.code).toBe('token_missing');
  });

  it('client address: XFF is read only from a trusted proxy', () => {
    const via = steps(TOKEN, { from: '127.0.0.1', headers: ['X-Forwarded-For: 203.0.113.9'] }, 'client-address')[0]!;
    expect(via.detail).toContain('against 203.0.113.9');
    const direct = steps(TOKEN, { from: '192.0.2.4', headers: ['X-Forwarded-For: 203.0.113.9'] }, 'client-address')[0]!;
    expect(direct.detail).toContain('against 192.0.2.4');
    expect(direct.detail).toContain('read only from trustedProxies');
  });

  it('client address: loopback is exempt unless forwarding headers came from an unlisted peer', () => {
    const unlisted = resolved({ auth: { mode: 'password', password: 'the-right-password-0123' } });
    const local = steps(unlisted, { from: '127.0.0.1' }, 'client-address')[0]!;
    expect(local.detail).toContain('never locked out');
    const proxied = steps(unlisted, { from: '127.0.0.1', headers: ['X-Forwarded-For: 203.0.113.9'] }, 'client-address')[0]!;
    expect(proxied.detail).toContain('so it is not exempt');
    expect(proxied.detail).toContain('gateway.trustedProxies');
  });
});

describe('auth explain: the Host check', () => {
  it('refuses a foreign Host before authentication, as the gateway does', () => {
    const e = explainRequest(TOKEN, { from: '127.0.0.1', headers: ['Host: attacker.example:18789', 'Authorization: Bearer the-right-token-0123456789'] });
    expect(e.outcome).toMatchObject({ ok: false, code: 'host_not_allowed', http: { status: 421 }, websocket: { admitted: false, code: 'host_not_allowed', closeCode: 1008, stage: 'upgrade' } });
    expect(e.steps.find((x) => x.step === 'host')).toMatchObject({ result: 'fail' });
    expect(e.steps.find((x) => x.step === 'token')).toMatchObject({ result: 'not-reached' });
  });

  it('passes a loopback Host and an allowedHosts name', () => {
    expect(explainRequest(TOKEN, { from: '127.0.0.1', headers: ['Host: localhost:18789', 'Authorization: Bearer the-right-token-0123456789'] }).outcome.ok).toBe(true);
    const listed = resolved({ allowedHosts: ['mayros.example.com'], auth: { mode: 'token', token: 'the-right-token-0123456789' } });
    const e = explainRequest(listed, { from: '127.0.0.1', headers: ['Host: mayros.example.com', 'Authorization: Bearer the-right-token-0123456789'] });
    expect(e.outcome.ok).toBe(true);
    expect(e.steps.find((x) => x.step === 'host')).toMatchObject({ result: 'pass' });
  });
});

describe('auth explain: config and input', () => {
  it('explains a config the gateway would refuse, saying so, ignoring entries that are not addresses', () => {
    const bad = resolved({ trustedProxies: ['proxy.internal', '10.0.0.0/24'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user' } } });
    const e = explainRequest(bad, { from: '10.0.0.7', headers: ['X-Forwarded-User: nick'] });
    expect(e.startupIssues.map((i) => i.path)).toContain('gateway.trustedProxies[0]');
    expect(e.steps.find((s) => s.step === 'config')!.detail).toContain('"proxy.internal"');
    expect(e.outcome).toMatchObject({ ok: true, user: 'nick' });
  });

  it('explains trusted-proxy mode without a userHeader', () => {
    const bad = resolved({ trustedProxies: ['10.0.0.0/24'], auth: { mode: 'trusted-proxy' } });
    const e = explainRequest(bad, { from: '10.0.0.7', headers: ['X-Forwarded-User: nick'] });
    expect(e.startupIssues.map((i) => i.path)).toContain('gateway.auth.trustedProxy.userHeader');
    expect(e.steps.some((s) => s.detail.includes('userHeader is not set'))).toBe(true);
    expect(e.outcome.code).toBe('trusted_proxy_user_missing');
  });

  it('mode none admits, and says the bearer is ignored', () => {
    const e = explainRequest(resolved({ auth: { mode: 'none' } }), { from: '127.0.0.1', bearer: 'x' });
    expect(e.outcome).toMatchObject({ ok: true, method: 'none' });
    expect(e.steps.some((s) => s.detail.includes('ignores the bearer'))).toBe(true);
  });

  it('hides credential-like headers but shows the identity', () => {
    const e = explainRequest(TP, { from: '10.0.0.7', headers: [...GOOD, 'Cookie: session=abc', 'Cf-Access-Jwt-Assertion: eyJ.x.y'] });
    expect(e.request.headers).toMatchObject({ cookie: '(hidden)', 'cf-access-jwt-assertion': '(hidden)', 'x-forwarded-user': 'nick@example.com' });
  });

  it('rejects a --from that is not an address', () => {
    expect(() => explainRequest(TP, { from: 'proxy.internal' })).toThrow(ExplainInputError);
    expect(() => explainRequest(TP, { from: 'proxy.internal' })).toThrow(/--from "proxy.internal" is not an IP address/);
  });

  it.each(['X-Forwarded-User nick', ': nick', 'X Forwarded User: nick', ''])('rejects the malformed header %j', (h) => {
    expect(() => parseHeaderArgs([h])).toThrow(/is not "Name: value"/);
  });

  it('parses header names case-insensitively and keeps values with colons', () => {
    expect(parseHeaderArgs(['X-A: b:c', 'x-a: d', 'Host: h:1'])).toEqual({ 'x-a': ['b:c', 'd'], host: 'h:1' });
  });
});

describe('auth explain: scopes', () => {
  const SCOPED = resolved({
    trustedProxies: ['10.0.0.0/24'],
    auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user', groupsHeader: 'x-forwarded-groups' } },
    authorization: {
      rules: [
        { users: ['alice@example.com'], scopes: ['operator.admin'] },
        { groups: ['auditors'], scopes: ['operator.read'] },
        { users: ['Bob@example.com'], scopes: ['operator.admin'] },
      ],
    },
  });
  const as = (user: string, groups?: string) => explainRequest(SCOPED, { from: '10.0.0.7', headers: [`X-Forwarded-User: ${user}`, ...(groups ? [`X-Forwarded-Groups: ${groups}`] : [])] });

  it('shows the scopes of an admitted identity and which rule or default granted each', () => {
    const o = as('alice@example.com', 'auditors').outcome;
    expect(o).toMatchObject({ ok: true, scopes: ['operator.admin', 'operator.read', 'operator.write'], defaultScopesFrom: 'mode' });
    expect(o.grants).toEqual([
      { scope: 'operator.admin', source: { rule: 0, user: 'alice@example.com' } },
      { scope: 'operator.read', source: 'default' },
      { scope: 'operator.read', source: { rule: 0, user: 'alice@example.com' }, impliedBy: 'operator.admin' },
      { scope: 'operator.read', source: { rule: 1, group: 'auditors' } },
      { scope: 'operator.write', source: 'default' },
      { scope: 'operator.write', source: { rule: 0, user: 'alice@example.com' }, impliedBy: 'operator.admin' },
    ]);
  });

  it('decides on the name as the gateway reads it: UTF-8 bytes, in NFC', () => {
    const e = explainRequest(resolved({ trustedProxies: ['10.0.0.0/24'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user' } }, authorization: { rules: [{ users: ['jürgen@example.com'], scopes: ['operator.admin'] }] } }), {
      from: '10.0.0.7',
      headers: ['X-Forwarded-User: ju\u0308rgen@example.com'],
    });
    expect(e.outcome.scopes).toContain('operator.admin');
  });

  it('points out a rule that differs from the user only in letter case', () => {
    const e = as('bob@example.com');
    expect(e.outcome.scopes).toEqual(['operator.read', 'operator.write']);
    expect(e.steps.find((s) => s.step === 'hint' && s.detail.includes('rules[2]'))!.detail).toContain('"Bob@example.com", which differs from "bob@example.com" only in letter case');
  });

  it('gives the secret modes their default, and nothing for a refusal', () => {
    expect(explainRequest(TOKEN, { from: '127.0.0.1', bearer: 'the-right-token-0123456789' }).outcome).toMatchObject({ scopes: ['operator.admin', 'operator.read', 'operator.write'], grants: [{ scope: 'operator.admin', source: 'default' }, { scope: 'operator.read', source: 'default', impliedBy: 'operator.admin' }, { scope: 'operator.write', source: 'default', impliedBy: 'operator.admin' }] });
    const refused = explainRequest(TOKEN, { from: '127.0.0.1', bearer: 'wrong' }).outcome;
    expect(refused.scopes).toBeUndefined();
    expect(refused.grants).toBeUndefined();
  });
});
