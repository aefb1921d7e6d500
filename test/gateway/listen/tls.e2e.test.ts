/**
 * HTTPS/WSS with mutual TLS from the proxy (src/gateway/listen/tls.ts, src/auth/source.ts), with a
 * real gateway and certificates made with openssl: the proxy's certificate admits, a missing,
 * foreign, expired or wrongly named one is refused with its reason (over HTTP and WebSocket), both
 * checks apply when an address is listed too, the files are re-read on reload (rotation without a
 * restart; a bad file keeps the old ones), and a removed CA shuts out what it admitted.
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/errors.js';
import { makeCa, type CertFiles, type TestCa } from '../../support/certs.js';
import { startTestGateway, type TestGateway } from '../../support/gateway-inproc.js';
import { httpRequest, type TlsClientOptions } from '../../support/http-client.js';
import { requireBinary } from '../../support/processes.js';
import { makeTempDir, removeTempDir } from '../../support/tmp.js';
import { wsAttempt, wsClient } from '../../support/ws-client.js';

const opensslBin = requireBinary('openssl');
const alice = { 'x-forwarded-user': 'alice@example.com' };

/** The server certificate a TLS handshake with `port` presents (its SHA-256 fingerprint). */
function servedFingerprint(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      resolve(s.getPeerX509Certificate()!.fingerprint256);
      s.end();
    });
    s.once('error', reject);
  });
}

describe.skipIf(!opensslBin)('mutual TLS from the proxy', () => {
  let dir: string;
  let live: string;
  let serverCa: TestCa;
  let proxyCa: TestCa;
  let otherCa: TestCa;
  let proxy: CertFiles;
  let t: TestGateway;
  const client = (cert?: CertFiles): TlsClientOptions => ({ ca: serverCa.certPem, ...(cert && { cert: cert.certPem, key: cert.keyPem }) });
  const auth = (extra: Record<string, unknown> = {}) => ({ mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user', allowUsers: ['alice@example.com'], clientCert: { allowedNames: ['mayros-proxy'] }, ...extra } });
  const gatewayConfig = (extra: Record<string, unknown> = {}) => ({ tls: { cert: join(live, 'server.crt'), key: join(live, 'server.key'), clientCa: join(live, 'client-ca.crt') }, auth: auth(), ...extra });

  beforeAll(async () => {
    dir = makeTempDir('mtls');
    live = join(dir, 'live');
    for (const d of ['server-ca', 'proxy-ca', 'other-ca', 'live']) mkdirSync(join(dir, d));
    serverCa = makeCa(join(dir, 'server-ca'), 'Gateway Server CA');
    proxyCa = makeCa(join(dir, 'proxy-ca'), 'Proxy Client CA');
    otherCa = makeCa(join(dir, 'other-ca'), 'Some Other CA');
    const server = serverCa.issue('server', { cn: 'localhost', dns: ['localhost'], ip: ['127.0.0.1'], usage: 'server' });
    copyFileSync(server.cert, join(live, 'server.crt'));
    copyFileSync(server.key, join(live, 'server.key'));
    copyFileSync(proxyCa.cert, join(live, 'client-ca.crt'));
    proxy = proxyCa.issue('proxy', { cn: 'mayros-proxy', usage: 'client' });
    t = await startTestGateway(gatewayConfig());
  });
  afterAll(async () => {
    await t?.stop();
    removeTempDir(dir);
  });

  it('serves HTTPS: the proxy\'s certificate admits the identity it forwards, from any address (no trustedProxies)', async () => {
    expect(t.url).toMatch(/^https:/);
    for (const localAddress of ['127.0.0.1', '127.0.0.2']) {
      const r = await httpRequest(`${t.url}/api/whoami`, { headers: alice, tls: client(proxy), localAddress });
      expect(r.status, r.text).toBe(200);
      expect(r.json).toEqual({ user: 'alice@example.com', method: 'trusted-proxy', groups: [], scopes: ['operator.read', 'operator.write'] });
    }
  });

  it('serves WSS: the proxy\'s certificate admits the upgrade', async () => {
    const o = await wsAttempt(t.wsUrl, { headers: alice, tls: client(proxy) });
    expect(o, JSON.stringify(o)).toMatchObject({ kind: 'hello', identity: { user: 'alice@example.com' } });
  });

  it.each<[string, () => CertFiles | undefined, string, string | undefined]>([
    ['no certificate', () => undefined, 'trusted_proxy_client_cert_missing', undefined],
    ['a certificate from another CA', () => otherCa.issue('stranger', { cn: 'mayros-proxy' }), 'trusted_proxy_client_cert_invalid', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
    ['an expired certificate from the right CA', () => proxyCa.issue('expired', { cn: 'mayros-proxy', startDate: '20200101000000Z', endDate: '20200102000000Z' }), 'trusted_proxy_client_cert_invalid', 'CERT_HAS_EXPIRED'],
    ['a server-only certificate from the right CA', () => proxyCa.issue('serveronly', { cn: 'mayros-proxy', usage: 'server' }), 'trusted_proxy_client_cert_invalid', 'INVALID_PURPOSE'],
    ['another service\'s certificate from the right CA', () => proxyCa.issue('billing', { cn: 'billing', dns: ['billing.internal'], email: ['mayros-proxy'] }), 'trusted_proxy_client_cert_not_allowed', 'CN=billing, DNS:billing.internal'],
  ])('%s: refused over HTTP (then the connection is closed) and WebSocket', async (_n, make, reason, detail) => {
    const cert = make();
    const r = await httpRequest(`${t.url}/api/whoami`, { headers: alice, tls: client(cert) });
    expect(r.status, r.text).toBe(401);
    expect(r.json?.error?.reason).toBe(reason);
    expect(r.json?.error?.claimedUser).toBeUndefined();
    expect(r.headers.connection).toBe('close');
    const o = await wsAttempt(t.wsUrl, { headers: alice, tls: client(cert) });
    expect(o).toMatchObject({ kind: 'closed', code: 1008, reason });
    const line = t.logs.filter((l) => l.event === 'auth_rejected' && l.reason === reason).at(-1);
    expect(line?.detail).toBe(detail);
  });

  it('with an address listed too, both must hold', async () => {
    const both = await startTestGateway({ ...gatewayConfig(), trustedProxies: ['127.0.0.1'] });
    try {
      expect((await httpRequest(`${both.url}/api/whoami`, { headers: alice, tls: client(proxy) })).status).toBe(200);
      const elsewhere = await httpRequest(`${both.url}/api/whoami`, { headers: alice, tls: client(proxy), localAddress: '127.0.0.2' });
      expect(elsewhere.json?.error?.reason).toBe('trusted_proxy_untrusted_source');
      const noCert = await httpRequest(`${both.url}/api/whoami`, { headers: alice, tls: client() });
      expect(noCert.json?.error?.reason).toBe('trusted_proxy_client_cert_missing');
    } finally {
      await both.stop();
    }
  });

  it('a renewed server certificate is served after a reload, without dropping a connection; a bad file keeps the old one', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: serverCa.certPem, cert: proxy.certPem, key: proxy.keyPem });
    try {
      const first = await httpRequest(`${t.url}/api/whoami`, { headers: alice, agent: agent as never });
      expect(first.status).toBe(200);
      const before = await servedFingerprint(t.port, serverCa.certPem);
      const renewed = serverCa.issue('server2', { cn: 'localhost', dns: ['localhost'], ip: ['127.0.0.1'], usage: 'server' });
      copyFileSync(renewed.cert, join(live, 'server.crt'));
      copyFileSync(renewed.key, join(live, 'server.key'));
      const outcome = await t.gw.reload('SIGHUP');
      expect(outcome).toMatchObject({ status: 'applied', changed: ['gateway.tls (certificate file content)'] });
      const after = await servedFingerprint(t.port, serverCa.certPem);
      expect(after).not.toBe(before);
      expect(after).toBe(new X509Certificate(renewed.certPem).fingerprint256);
      // The keep-alive connection made before the reload still carries requests.
      const again = await httpRequest(`${t.url}/api/whoami`, { headers: alice, agent: agent as never });
      expect(again.status).toBe(200);

      writeFileSync(join(live, 'server.crt'), 'not a certificate');
      const bad = await t.gw.reload('SIGHUP');
      expect(bad.status).toBe('rejected');
      const failed = t.logs.filter((l) => l.event === 'config_reload_failed').at(-1) as { issues: Array<{ path: string; message: string; fix: string }> };
      expect(failed.issues[0]).toMatchObject({ path: 'gateway.tls.cert', message: expect.stringContaining(join(live, 'server.crt')), fix: expect.stringContaining('PEM') });
      expect(await servedFingerprint(t.port, serverCa.certPem)).toBe(after);
      copyFileSync(renewed.cert, join(live, 'server.crt'));
    } finally {
      agent.destroy();
    }
  });

  it('a CA removed by a reload shuts out what it admitted: keep-alive requests and open WebSocket sessions', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: serverCa.certPem, cert: proxy.certPem, key: proxy.keyPem });
    const session = wsClient(t.wsUrl, { headers: alice, tls: client(proxy) });
    try {
      expect((await session.hello).ok).toBe(true);
      expect((await httpRequest(`${t.url}/api/whoami`, { headers: alice, agent: agent as never })).status).toBe(200);
      // The proxy gets a certificate from a new CA; the old CA goes.
      const newCaDir = join(dir, 'proxy-ca-2');
      mkdirSync(newCaDir);
      const newCa = makeCa(newCaDir, 'Proxy Client CA 2');
      copyFileSync(newCa.cert, join(live, 'client-ca.crt'));
      const outcome = await t.gw.reload('SIGHUP');
      expect(outcome).toMatchObject({ status: 'applied', recheck: { closed: 1, byReason: { trusted_proxy_client_cert_invalid: 1 } } });
      expect(await session.closed).toEqual({ code: 1008, reason: 'trusted_proxy_client_cert_invalid' });
      const stale = await httpRequest(`${t.url}/api/whoami`, { headers: alice, agent: agent as never });
      expect(stale.json?.error?.reason).toBe('trusted_proxy_client_cert_invalid');
      expect(t.logs.filter((l) => l.event === 'auth_rejected').at(-1)?.detail).toBe('CA_REMOVED');
      // A new connection with a certificate from the new CA is admitted; the old one is refused.
      const renewed = newCa.issue('proxy2', { cn: 'mayros-proxy' });
      expect((await httpRequest(`${t.url}/api/whoami`, { headers: alice, tls: client(renewed) })).status).toBe(200);
      expect((await httpRequest(`${t.url}/api/whoami`, { headers: alice, tls: client(proxy) })).json?.error?.reason).toBe('trusted_proxy_client_cert_invalid');
      copyFileSync(proxyCa.cert, join(live, 'client-ca.crt'));
      await t.gw.reload('SIGHUP');
    } finally {
      session.close();
      agent.destroy();
    }
  });

  it('a file that cannot be used refuses the start, naming the file and the fix', async () => {
    const missing = join(dir, 'nope.crt');
    const e1 = (await startTestGateway({ ...gatewayConfig(), tls: { cert: missing, key: join(live, 'server.key'), clientCa: join(live, 'client-ca.crt') } }).then(() => undefined, (e: unknown) => e)) as ConfigError;
    expect(e1).toBeInstanceOf(ConfigError);
    expect(e1.issues[0]).toMatchObject({ path: 'gateway.tls.cert', message: `cannot read ${missing} (ENOENT)` });
    const e2 = (await startTestGateway({ ...gatewayConfig(), tls: { cert: join(live, 'server.crt'), key: proxy.key, clientCa: join(live, 'client-ca.crt') } }).then(() => undefined, (e: unknown) => e)) as ConfigError;
    expect(e2.issues[0]).toMatchObject({ path: 'gateway.tls.key', message: `${proxy.key} is not the key of the certificate in ${join(live, 'server.crt')}` });
  });

  it('token mode over TLS asks for no client certificate; switching to trusted-proxy with clientCert asks for it on new connections', async () => {
    const g = await startTestGateway({ tls: { cert: join(live, 'server.crt'), key: join(live, 'server.key') }, auth: { mode: 'token', token: 'a-token-for-the-tls-suite-0000000' } });
    try {
      // openssl s_client reports whether the server asked for a client certificate (and from which
      // CAs). Run asynchronously: the gateway answers from this very process.
      const asked = async () => {
        const out = await new Promise<string>((resolve, reject) => {
          const child = execFile(opensslBin!, ['s_client', '-connect', `127.0.0.1:${g.port}`, '-servername', 'localhost', '-CAfile', serverCa.cert], { encoding: 'utf8', timeout: 10_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
          child.stdin!.end();
        });
        if (out.includes('No client certificate CA names sent')) return false;
        expect(out).toContain('Acceptable client certificate CA names');
        return true;
      };
      expect(await asked()).toBe(false);
      const r = await httpRequest(`${g.url}/api/whoami`, { headers: { authorization: 'Bearer a-token-for-the-tls-suite-0000000' }, tls: client() });
      expect(r.json).toMatchObject({ method: 'token' });
      copyFileSync(proxyCa.cert, join(live, 'client-ca.crt'));
      const outcome = await g.rewrite(gatewayConfig());
      expect(outcome.status).toBe('applied');
      expect(await asked()).toBe(true);
      expect((await httpRequest(`${g.url}/api/whoami`, { headers: alice, tls: client(proxy) })).json).toMatchObject({ user: 'alice@example.com' });
    } finally {
      await g.stop();
    }
  });
});
