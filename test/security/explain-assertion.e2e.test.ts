/**
 * `mayros auth explain` with a signed assertion: the assertion step in the trail, verified with the
 * proxy's real keys (a loopback JWKS server for the CLI run).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigObject } from '../../src/config/parse.js';
import { resolvedConfig, type ResolvedConfig } from '../../src/config/load.js';
import { staticKeySource } from '../../src/auth/assertion/key-source.js';
import { explainRequest } from '../../src/explain/explain.js';
import { explainAssertion } from '../../src/explain/assertion.js';
import type { ExplainRequest } from '../../src/explain/types.js';
import { claims, jwksOf, makeSigner, type TestSigner } from '../support/signing.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';
import { runCli } from '../support/cli.js';
import { writeConfig } from '../support/config-file.js';
import { cleanEnv } from '../support/env.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

const HOST = 'mayros.test';
let k1: TestSigner;
let jwks: JwksServer;
const tmpDir = makeTempDir('explain');

function resolvedWith(trustedProxy: Record<string, unknown>): ResolvedConfig {
  const config = parseConfigObject({ gateway: { trustedProxies: ['127.0.0.1'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user', ...trustedProxy } } } });
  return resolvedConfig({ file: '/etc/mayros/mayros.json', fileFound: true, stateDir: tmpDir, config, sources: new Map() });
}

const pomerium = (extra: Record<string, unknown> = {}) => resolvedWith({ assertion: { preset: 'pomerium', audience: HOST, jwksFile: '/not/read/in/these/tests' }, allowGroups: ['ops'], ...extra });
const token = (email = 'nick@example.com', groups = ['ops']) => k1.sign(claims(Date.now(), { iss: HOST, aud: HOST, email, groups }));
const trail = (steps: Array<{ step: string; result: string }>) => steps.filter((s) => s.result !== 'note').map((s) => `${s.step}:${s.result}`);

async function explain(resolved: ResolvedConfig, req: ExplainRequest) {
  const outcome = await explainAssertion(resolved, req, { keys: async () => staticKeySource(jwksOf(k1)) });
  return explainRequest(resolved, req, outcome);
}

beforeAll(async () => {
  k1 = await makeSigner('k1');
  jwks = await startJwksServer(jwksOf(k1));
});

afterAll(async () => {
  await jwks.stop();
  removeTempDir(tmpDir);
});

describe('auth explain with a signed assertion', () => {
  it('shows the verified assertion, the groups and the allowlist, and hides the token', async () => {
    const jwt = await token();
    const e = await explain(pomerium(), { from: '127.0.0.1', headers: ['X-Forwarded-User: nick@example.com', `X-Pomerium-Jwt-Assertion: ${jwt}`] });
    expect(trail(e.steps)).toEqual(['source:pass', 'identity:pass', 'assertion:pass', 'groups:pass', 'allowlist:pass']);
    const step = e.steps.find((s) => s.step === 'assertion')!;
    expect(step.detail).toContain('ES256 signature valid (kid k1)');
    expect(step.header).toBe('x-pomerium-jwt-assertion');
    expect(e.steps.find((s) => s.step === 'groups')!.detail).toBe('from claim "groups": "ops"');
    expect(e.outcome).toMatchObject({ ok: true, user: 'nick@example.com', groups: ['ops'] });
    expect(JSON.stringify(e)).not.toContain(jwt);
  });

  it.each<[string, () => Promise<string[]>, string[], string]>([
    ['no assertion', async () => ['X-Forwarded-User: nick@example.com'], ['source:pass', 'identity:pass', 'assertion:fail', 'groups:not-reached', 'allowlist:not-reached'], 'trusted_proxy_assertion_missing'],
    ['a token for someone else', async () => ['X-Forwarded-User: nick@example.com', `X-Pomerium-Jwt-Assertion: ${await token('eve@example.com')}`], ['source:pass', 'identity:pass', 'assertion:fail', 'groups:not-reached', 'allowlist:not-reached'], 'trusted_proxy_assertion_user_mismatch'],
    ['in no allowed group', async () => ['X-Forwarded-User: nick@example.com', `X-Pomerium-Jwt-Assertion: ${await token('nick@example.com', ['dev'])}`], ['source:pass', 'identity:pass', 'assertion:pass', 'groups:pass', 'allowlist:fail'], 'trusted_proxy_user_not_allowed'],
    ['an untrusted source', async () => ['X-Forwarded-User: nick@example.com'], ['source:fail', 'identity:not-reached', 'assertion:not-reached', 'groups:not-reached', 'allowlist:not-reached'], 'trusted_proxy_untrusted_source'],
  ])('%s', async (name, headers, steps, code) => {
    const e = await explain(pomerium(), { from: name === 'an untrusted source' ? '127.0.0.2' : '127.0.0.1', headers: await headers() });
    expect(trail(e.steps)).toEqual(steps);
    expect(e.outcome).toMatchObject({ ok: false, code });
  });

  it('points at a near-miss assertion header name', async () => {
    const e = await explain(pomerium(), { from: '127.0.0.1', headers: ['X-Forwarded-User: nick@example.com', `X_Pomerium_Jwt_Assertion: ${await token()}`] });
    expect(e.steps.some((s) => s.step === 'hint' && s.detail.includes('"x_pomerium_jwt_assertion" was sent'))).toBe(true);
  });

  it('reports keys that cannot be had as the gateway would', async () => {
    const resolved = pomerium();
    const req = { from: '127.0.0.1', headers: ['X-Forwarded-User: nick@example.com', `X-Pomerium-Jwt-Assertion: ${await token()}`] };
    const outcome = await explainAssertion(resolved, req); // the default loader reads the (missing) jwksFile
    const e = explainRequest(resolved, req, outcome);
    expect(e.outcome).toMatchObject({ ok: false, code: 'trusted_proxy_assertion_keys_unavailable', http: { status: 503 }, websocket: { closeCode: 1013 } });
    expect(e.steps.find((s) => s.step === 'assertion')!.detail).toContain('cannot read "/not/read/in/these/tests"');
  });

  it('explains a config whose assertion settings the gateway would refuse', async () => {
    const resolved = resolvedWith({ assertion: { preset: 'pomerium', audience: HOST, algorithms: ['HS256'] } });
    const e = explainRequest(resolved, { from: '127.0.0.1', headers: ['X-Forwarded-User: nick@example.com'] });
    expect(e.startupIssues.map((i) => i.path)).toContain('gateway.auth.trustedProxy.assertion.algorithms[0]');
    expect(e.steps.some((s) => s.step === 'config' && s.detail.includes('assertion is invalid'))).toBe(true);
  });

  it('the CLI fetches the real keys and prints the assertion step', async () => {
    const file = writeConfig(
      tmpDir,
      JSON.stringify({
        gateway: {
          trustedProxies: ['127.0.0.1'],
          auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user', assertion: { preset: 'pomerium', audience: HOST, jwksUrl: jwks.url } } },
        },
      }),
      'assert.json',
    );
    const before = jwks.hits;
    const r = await runCli(['auth', 'explain', '--config', file, '--from', '127.0.0.1', '-H', 'X-Forwarded-User: nick@example.com', '-H', `X-Pomerium-Jwt-Assertion: ${await token()}`], cleanEnv({}, { minimal: true, stateDir: tmpDir }));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\[pass\] assertion +ES256 signature valid \(kid k1\)/);
    expect(r.stdout).toContain('x-pomerium-jwt-assertion: (hidden)');
    expect(r.stdout).toContain('Outcome: ADMITTED as "nick@example.com"');
    expect(jwks.hits - before).toBe(1);
  });
});
