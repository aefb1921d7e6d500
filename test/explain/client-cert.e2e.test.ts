/**
 * `auth explain --client-cert`: the chain check of src/explain/client-cert.ts against real
 * certificates made with openssl (a CA, an intermediate, expired and wrong-purpose ones), and the
 * decision it feeds.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvedConfig, type ResolvedConfig } from '../../src/config/load.js';
import { parseConfigObject } from '../../src/config/parse.js';
import { explainRequest } from '../../src/explain/explain.js';
import { certificatesIn, explainClientCert, verifyClientChain } from '../../src/explain/client-cert.js';
import { makeCa, type TestCa } from '../support/certs.js';
import { requireBinary } from '../support/processes.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

const opensslBin = requireBinary('openssl');

describe.skipIf(!opensslBin)('auth explain --client-cert', () => {
  let dir: string;
  let ca: TestCa;
  let other: TestCa;
  let config: ResolvedConfig;
  const GOOD = ['X-Forwarded-User: nick@example.com'];

  beforeAll(() => {
    dir = makeTempDir('explain-cert');
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    for (const d of [a, b]) mkdirSync(d);
    ca = makeCa(a);
    other = makeCa(b, 'Another CA');
    const gateway = { bind: 'lan', trustedProxies: ['10.0.0.7'], tls: { cert: '/unused.crt', key: '/unused.key', clientCa: ca.cert }, auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user', clientCert: { allowedNames: ['mayros-proxy'] } } } };
    config = resolvedConfig({ file: join(dir, 'mayros.json'), fileFound: true, stateDir: dir, config: parseConfigObject({ gateway }), sources: new Map() });
  });
  afterAll(() => removeTempDir(dir));

  const state = (file: string) => {
    const c = explainClientCert(file, ca.cert, new Date());
    return c.state === 'invalid' ? `invalid:${c.why}` : c.state;
  };

  it.each<[string, () => string, string]>([
    ['a client certificate from the CA', () => ca.issue('proxy', { cn: 'mayros-proxy' }).cert, 'valid'],
    ['one with no extended key usage at all', () => ca.issue('unrestricted', { cn: 'mayros-proxy', usage: 'unrestricted' }).cert, 'valid'],
    ['one through an intermediate it sends along', () => ca.intermediate('inter', 'Intermediate CA').issue('leaf', { cn: 'mayros-proxy' }).cert, 'valid'],
    ['one from another CA', () => other.issue('stranger', { cn: 'mayros-proxy' }).cert, 'invalid:UNABLE_TO_GET_ISSUER_CERT_LOCALLY'],
    ['an expired one', () => ca.issue('old', { cn: 'mayros-proxy', startDate: '20200101000000Z', endDate: '20200102000000Z' }).cert, 'invalid:CERT_HAS_EXPIRED'],
    ['one not yet valid', () => ca.issue('early', { cn: 'mayros-proxy', startDate: '20990101000000Z', endDate: '20990102000000Z' }).cert, 'invalid:CERT_NOT_YET_VALID'],
    ['a server-only certificate', () => ca.issue('server', { cn: 'mayros-proxy', usage: 'server' }).cert, 'invalid:INVALID_PURPOSE'],
    ['the other CA itself (self-signed)', () => other.cert, 'invalid:DEPTH_ZERO_SELF_SIGNED_CERT'],
  ])('%s', (_n, make, want) => {
    expect(state(make())).toBe(want);
  });

  it('an intermediate without its issuer in clientCa does not verify', () => {
    const inter = ca.intermediate('inter2', 'Intermediate 2');
    const leaf = inter.issue('leaf2', { cn: 'mayros-proxy' });
    const chain = certificatesIn(leaf.certPem, 'leaf');
    // clientCa holding only the intermediate: no self-signed root to end at.
    expect(verifyClientChain(chain.slice(0, 1), certificatesIn(inter.certPem, 'inter'), new Date())).toEqual({ state: 'invalid', why: 'UNABLE_TO_GET_ISSUER_CERT' });
  });

  it('reads the names, and the decision admits only an allowed one', () => {
    const good = ca.issue('named', { cn: 'mayros-proxy', dns: ['proxy.example.com'], email: ['mayros-proxy@example.com'] });
    const e = explainRequest(config, { from: '10.0.0.7', clientCert: good.cert, headers: GOOD });
    expect(e.outcome).toMatchObject({ ok: true, user: 'nick@example.com' });
    expect(e.request).toMatchObject({ transport: 'tls', clientCert: 'valid: CN=mayros-proxy, DNS:proxy.example.com' });
    expect(e.steps.find((s) => s.step === 'client-cert')).toMatchObject({ result: 'pass' });

    const wrong = ca.issue('billing', { cn: 'billing', email: ['mayros-proxy'] });
    const refused = explainRequest(config, { from: '10.0.0.7', clientCert: wrong.cert, headers: GOOD });
    expect(refused.outcome).toMatchObject({ ok: false, code: 'trusted_proxy_client_cert_not_allowed', http: { status: 401 }, websocket: { closeCode: 1008 } });
    expect(refused.steps.find((s) => s.step === 'client-cert')!.detail).toContain('CN=billing');

    const none = explainRequest(config, { from: '10.0.0.7', headers: GOOD });
    expect(none.outcome).toMatchObject({ ok: false, code: 'trusted_proxy_client_cert_missing' });
    expect(none.steps.map((s) => `${s.step}:${s.result}`)).toEqual(['mode:note', 'source:pass', 'client-cert:fail', 'identity:not-reached', 'allowlist:not-reached']);

    const stranger = explainRequest(config, { from: '10.0.0.7', clientCert: other.issue('s2', { cn: 'mayros-proxy' }).cert, headers: GOOD });
    expect(stranger.outcome).toMatchObject({ ok: false, code: 'trusted_proxy_client_cert_invalid' });
  });

  it('says so when the file holds no certificate', () => {
    const f = join(dir, 'not-a-cert.pem');
    writeFileSync(f, 'hello');
    expect(() => explainClientCert(f, ca.cert, new Date())).toThrow(/holds no PEM certificate/);
    expect(() => explainClientCert(join(dir, 'missing.pem'), ca.cert, new Date())).toThrow(/cannot be read \(ENOENT\)/);
  });
});
