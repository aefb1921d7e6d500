/**
 * Signed assertions end to end: a real gateway on a loopback port, a real loopback JWKS server,
 * clients from 127.0.0.1 (playing the proxy) and 127.0.0.2 (an untrusted client), over HTTP and
 * WebSocket both.
 */
import { request } from 'node:http';
import { connect as tcpConnect } from 'node:net';
import { SignJWT, exportSPKI, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../support/gateway-inproc.js';
import { httpRequest, type Headers } from '../../support/http-client.js';
import { startJwksServer, type JwksServer } from '../../support/jwks-server.js';
import { maskedTextFrame, upgradeHead } from '../../support/raw-socket.js';
import { claims, jwksOf, makeSigner, unsignedToken, type TestSigner } from '../../support/signing.js';
import { sleep, waitFor } from '../../support/wait.js';
import { wsAttempt, wsClient } from '../../support/ws-client.js';

const HOST = 'mayros.test';
const TUNING = { cooldownMs: 300, failureCooldownMs: 300, fetchTimeoutMs: 1_500 };

function startWithKeys(jwksUrl: string, keyTuning = TUNING): Promise<TestGateway> {
  return startTestGateway(
    {
      bind: 'loopback',
      trustedProxies: ['127.0.0.1'],
      controlUi: { enabled: false },
      auth: {
        mode: 'trusted-proxy',
        trustedProxy: {
          userHeader: 'x-forwarded-user',
          assertion: { preset: 'pomerium', audience: HOST, jwksUrl },
          allowUsers: ['boss@example.com'],
          allowGroups: ['ops'],
        },
      },
    },
    { keyTuning },
  );
}

let k1: TestSigner;
let k2: TestSigner;
let jwks: JwksServer;
let t: TestGateway;

const base = (extra: JWTPayload = {}) => claims(Date.now(), { iss: HOST, aud: HOST, email: 'nick@example.com', groups: ['dev', 'ops'], ...extra });
const headersFor = (token: string | string[], user = 'nick@example.com'): Headers => ({ 'x-forwarded-user': user, 'x-pomerium-jwt-assertion': token });

/** One request over HTTP, as "<status> <reason or user>". */
async function overHttp(headers: Headers, from = '127.0.0.1', gateway = t): Promise<string> {
  const r = await httpRequest(`${gateway.url}/api/whoami`, { headers, localAddress: from });
  return r.status === 200 ? `200 ${r.json.user} [${r.json.groups.join(',')}]` : `${r.status} ${r.json.error.reason}`;
}

/** The same over WebSocket, as "hello <user> [groups]" or "<close code> <reason>". */
async function overWs(headers: Headers, from = '127.0.0.1', port = t.port): Promise<string> {
  const o = await wsAttempt(`ws://127.0.0.1:${port}/`, { headers, localAddress: from, whoami: true });
  if (o.kind === 'hello') {
    expect(o.whoami).toEqual({ ...o.payload.identity, scopes: o.payload.scopes });
    return `hello ${o.payload.identity.user} [${o.payload.identity.groups.join(',')}]`;
  }
  return o.kind === 'closed' ? `${o.code} ${o.reason}` : `rejected ${o.status}`;
}

beforeAll(async () => {
  k1 = await makeSigner('k1');
  k2 = await makeSigner('k2');
  jwks = await startJwksServer(jwksOf(k1));
  t = await startWithKeys(jwks.url);
});

afterAll(async () => {
  await t?.stop();
  await jwks?.stop();
});

describe('signed assertions over HTTP and WebSocket', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const cases: Array<[string, () => Promise<Headers>, string, string]> = [
    ['valid, in an allowed group', async () => headersFor(await k1.sign(base())), '200 nick@example.com [dev,ops]', 'hello nick@example.com [dev,ops]'],
    ['valid, a listed user without groups', async () => headersFor(await k1.sign(base({ email: 'boss@example.com', groups: [] })), 'boss@example.com'), '200 boss@example.com []', 'hello boss@example.com []'],
    ['valid, in no allowed group', async () => headersFor(await k1.sign(base({ groups: ['dev'] }))), '403 trusted_proxy_user_not_allowed', '1008 trusted_proxy_user_not_allowed'],
    ['a groups header cannot grant a group', async () => ({ ...headersFor(await k1.sign(base({ groups: ['dev'] }))), 'x-forwarded-groups': 'ops' }), '403 trusted_proxy_user_not_allowed', '1008 trusted_proxy_user_not_allowed'],
    ['expired', async () => headersFor(await k1.sign(base({ exp: now() - 120 }))), '401 trusted_proxy_assertion_expired', '1008 trusted_proxy_assertion_expired'],
    ['not yet valid', async () => headersFor(await k1.sign(base({ nbf: now() + 300 }))), '401 trusted_proxy_assertion_expired', '1008 trusted_proxy_assertion_expired'],
    ['wrong issuer', async () => headersFor(await k1.sign(base({ iss: 'evil.test' }))), '401 trusted_proxy_assertion_invalid', '1008 trusted_proxy_assertion_invalid'],
    ['wrong audience', async () => headersFor(await k1.sign(base({ aud: 'other.test' }))), '401 trusted_proxy_assertion_invalid', '1008 trusted_proxy_assertion_invalid'],
    ['signed by another key with the same kid', async () => headersFor(await (await makeSigner('k1')).sign(base())), '401 trusted_proxy_assertion_invalid', '1008 trusted_proxy_assertion_invalid'],
    ['alg none', async () => headersFor(unsignedToken(base())), '401 trusted_proxy_assertion_invalid', '1008 trusted_proxy_assertion_invalid'],
    [
      'HS256 with the public key as secret',
      async () => headersFor(await new SignJWT(base()).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).sign(new TextEncoder().encode(await exportSPKI(k1.publicKey)))),
      '401 trusted_proxy_assertion_invalid',
      '1008 trusted_proxy_assertion_invalid',
    ],
    ['claim differs from the header', async () => headersFor(await k1.sign(base()), 'boss@example.com'), '401 trusted_proxy_assertion_user_mismatch', '1008 trusted_proxy_assertion_user_mismatch'],
    ['duplicate assertion headers', async () => { const t = await k1.sign(base()); return headersFor([t, t]); }, '401 trusted_proxy_assertion_ambiguous', '1008 trusted_proxy_assertion_ambiguous'],
    ['oversize token', async () => headersFor(await k1.sign(base({ pad: 'x'.repeat(9_000) }))), '401 trusted_proxy_assertion_invalid', '1008 trusted_proxy_assertion_invalid'],
    ['no assertion', async () => ({ 'x-forwarded-user': 'nick@example.com' }), '401 trusted_proxy_assertion_missing', '1008 trusted_proxy_assertion_missing'],
    ['forged identity header with no assertion', async () => ({ 'x-forwarded-user': 'boss@example.com' }), '401 trusted_proxy_assertion_missing', '1008 trusted_proxy_assertion_missing'],
  ];

  it.each(cases)('%s', async (_name, headers, http, ws) => {
    const h = await headers();
    expect(await overHttp(h)).toBe(http);
    expect(await overWs(h)).toBe(ws);
  });

  it('refuses a valid assertion from an untrusted address', async () => {
    const h = headersFor(await k1.sign(base()));
    expect(await overHttp(h, '127.0.0.2')).toBe('401 trusted_proxy_untrusted_source');
    expect(await overWs(h, '127.0.0.2')).toBe('1008 trusted_proxy_untrusted_source');
  });

  it('is ready, and /healthz stays liveness-only', async () => {
    expect((await httpRequest(`${t.url}/readyz`)).json).toEqual({ ready: true, config: { generation: 1, loadedAt: expect.any(String) } });
    expect((await httpRequest(`${t.url}/healthz`)).json).toEqual({ ok: true });
  });

  it('follows key rotation: a new kid is fetched, a removed one refused', async () => {
    jwks.jwks = jwksOf(k1, k2);
    await sleep(350); // past the cooldown since the last fetch
    expect(await overHttp(headersFor(await k2.sign(base())))).toBe('200 nick@example.com [dev,ops]');
    jwks.jwks = jwksOf(k2);
    await sleep(350);
    // A token naming a kid the cache lacks forces a fresh look, which drops k1 as well.
    expect(await overHttp(headersFor(await k1.sign(base(), { kid: 'k3' })))).toBe('401 trusted_proxy_assertion_invalid');
    expect(await overHttp(headersFor(await k1.sign(base())))).toBe('401 trusted_proxy_assertion_invalid');
    expect(await overWs(headersFor(await k1.sign(base())))).toBe('1008 trusted_proxy_assertion_invalid');
    expect(await overWs(headersFor(await k2.sign(base())))).toBe('hello nick@example.com [dev,ops]');
    jwks.jwks = jwksOf(k1);
    await sleep(350);
    expect(await overHttp(headersFor(await k1.sign(base())))).toBe('200 nick@example.com [dev,ops]');
  });
});

describe('when the key server is down', () => {
  it('at startup: refuses with keys_unavailable and is not ready, then recovers', async () => {
    await jwks.stop();
    let g: TestGateway | undefined;
    try {
      g = await startWithKeys(jwks.url);
      const h = headersFor(await k1.sign(base()));
      const r = await httpRequest(`${g.url}/api/whoami`, { headers: h });
      expect([r.status, r.json.error.reason, r.json.error.type, r.headers['retry-after']]).toEqual([503, 'trusted_proxy_assertion_keys_unavailable', 'unavailable', '5']);
      expect(await overWs(h, '127.0.0.1', g.port)).toBe('1013 trusted_proxy_assertion_keys_unavailable');
      const ready = await httpRequest(`${g.url}/readyz`);
      expect([ready.status, ready.json]).toEqual([503, { ready: false, reason: 'trusted_proxy_assertion_keys_unavailable', config: { generation: 1, loadedAt: expect.any(String) } }]);
      expect((await httpRequest(`${g.url}/healthz`)).status).toBe(200);

      await jwks.start();
      let status = 0;
      // Bounded by attempts (each a loopback request): liveness, not a speed target.
      for (let i = 0; i < 150 && status !== 200; i++) {
        await sleep(100);
        status = (await httpRequest(`${g.url}/readyz`)).status;
      }
      expect(status).toBe(200);
      expect((await httpRequest(`${g.url}/api/whoami`, { headers: h })).status).toBe(200);
      expect(await overWs(h, '127.0.0.1', g.port)).toBe('hello nick@example.com [dev,ops]');
    } finally {
      await g?.stop();
      await jwks.start();
    }
  });

  it('later: known keys still verify, an unknown kid is refused with keys_unavailable', async () => {
    await jwks.stop();
    try {
      await sleep(350);
      expect(await overHttp(headersFor(await k1.sign(base())))).toBe('200 nick@example.com [dev,ops]');
      expect(await overHttp(headersFor(await k2.sign(base())))).toBe('503 trusted_proxy_assertion_keys_unavailable');
      expect(await overWs(headersFor(await k2.sign(base())))).toBe('1013 trusted_proxy_assertion_keys_unavailable');
    } finally {
      await jwks.start();
    }
  });
});

describe('a client that sends its first frame before the upgrade completes', () => {
  it('keeps those bytes for the WebSocket session', async () => {
    // A key the gateway has not seen, served slowly: the upgrade waits while the frame arrives.
    jwks.jwks = jwksOf(k1, k2);
    jwks.mode = 'slow';
    await sleep(350);
    const token = await k2.sign(base());
    const reply = await new Promise<string>((resolve, reject) => {
      const sock = tcpConnect({ host: '127.0.0.1', port: t.port, localAddress: '127.0.0.1' });
      let got = Buffer.alloc(0);
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new Error(`no hello in time; got ${JSON.stringify(got.toString('latin1'))}`));
      }, 5_000);
      sock.on('connect', () => {
        sock.write(
          upgradeHead(`127.0.0.1:${t.port}`, [
            ['X-Forwarded-User', 'nick@example.com'],
            ['X-Pomerium-Jwt-Assertion', token],
          ]),
        );
        setTimeout(() => sock.write(maskedTextFrame(JSON.stringify({ type: 'req', id: 'early', method: 'connect', params: { protocol: 1 } }))), 150);
      });
      sock.on('data', (chunk: Buffer) => {
        got = Buffer.concat([got, chunk]);
        const text = got.toString('latin1');
        if (text.includes('hello-ok')) {
          clearTimeout(timer);
          sock.destroy();
          resolve(text);
        }
      });
      sock.on('error', reject);
    }).finally(() => {
      jwks.mode = 'ok';
    });
    expect(reply.startsWith('HTTP/1.1 101')).toBe(true);
    expect(reply).toContain('"id":"early"');
    expect(reply).toContain('"user":"nick@example.com"');
  });
});

describe('a client that goes away while its assertion is being verified', () => {
  it('leaves nothing behind: HTTP and WebSocket', async () => {
    // Its own gateway, whose key fetch takes long enough (4 s) that "dropped when the client
    // left" cannot be confused with "dropped when the verdict came", however slow the machine.
    const g = await startWithKeys(jwks.url, { ...TUNING, fetchTimeoutMs: 4_000 });
    const fetchFailures = () => g.logs.filter((l) => l.event === 'assertion_keys_failed').length;
    jwks.mode = 'hang'; // a key fetch now takes the whole fetch timeout
    try {
      await sleep(350); // past the cooldown since the startup fetch
      const unknownKid = headersFor(await k2.sign(base(), { kid: 'k-new-1' }));
      // HTTP: the client hangs up mid-verification.
      await new Promise<void>((resolve) => {
        const req = request({ host: '127.0.0.1', port: g.port, path: '/api/whoami', headers: unknownKid, localAddress: '127.0.0.1', agent: false });
        req.on('error', () => resolve());
        req.end();
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 200);
      });
      // WebSocket: the upgrade waits; the client gives up.
      const ws = wsClient(g.wsUrl, { connect: false, headers: unknownKid, localAddress: '127.0.0.1' });
      await waitFor(() => g.gw.ws.pendingUpgradeCount === 1, 5_000, 'the upgrade to wait for keys');
      ws.close();
      await waitFor(() => g.gw.ws.pendingUpgradeCount === 0, 5_000, 'the abandoned upgrade to be dropped');
      // Dropped because the client left: the key fetch (the verdict) has not ended yet.
      expect(fetchFailures()).toBe(0);
      // The fetch times out; the verdicts find their clients gone.
      await waitFor(() => fetchFailures() === 1, 10_000, 'the hanging key fetch to time out');
      expect(g.gw.ws.sessions.size).toBe(0);
      expect(g.gw.ws.pendingUpgradeCount).toBe(0);
      jwks.mode = 'ok';
      // The gateway still serves.
      await sleep(350);
      expect(await overHttp(headersFor(await k1.sign(base())), '127.0.0.1', g)).toBe('200 nick@example.com [dev,ops]');
    } finally {
      jwks.mode = 'ok';
      await g.stop();
    }
  });

  it('shutting down ends upgrades still waiting for keys', async () => {
    jwks.mode = 'hang';
    // A key fetch that would hang for 10 s: a close that waited for it instead of ending the
    // upgrade would take that long, far past the liveness bound below.
    const g = await startWithKeys(jwks.url, { ...TUNING, fetchTimeoutMs: 10_000 }).catch((e) => {
      jwks.mode = 'ok';
      throw e;
    });
    try {
      await sleep(350); // past the failure cooldown: the upgrade below starts a (hanging) fetch
      const ws = wsClient(g.wsUrl, { connect: false, headers: headersFor(await k1.sign(base())), localAddress: '127.0.0.1' });
      // The client sees its connection end (a failed upgrade or a close): either way, not left open.
      const closed = ws.closed.then((c) => `close ${c.code}`);
      await waitFor(() => g.gw.ws.pendingUpgradeCount === 1, 5_000, 'the upgrade to wait for keys');
      const started = Date.now();
      await g.gw.close(500);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(await closed).toMatch(/^(error|close)/);
      expect(g.gw.ws.pendingUpgradeCount).toBe(0);
      expect(g.gw.ws.sessions.size).toBe(0);
    } finally {
      jwks.mode = 'ok';
      await g.stop();
    }
  });
});
