/**
 * Signed assertions end to end: a real gateway on a loopback port, a real loopback JWKS server,
 * clients from 127.0.0.1 (playing the proxy) and 127.0.0.2 (an untrusted client), over HTTP and
 * WebSocket both.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { connect as tcpConnect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { SignJWT, exportSPKI, type JWTPayload } from 'jose';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigForStartup } from '../../src/config/load.js';
import { startGateway, type RunningGateway } from '../../src/gateway/server.js';
import { claims, jwksOf, makeSigner, unsignedToken, type TestSigner } from '../helpers/signing.js';
import { startJwksServer, type JwksServer } from '../helpers/jwks-server.js';
import { httpGet, wsConnect, type Headers } from '../helpers/clients.js';

const HOST = 'mayros.test';
const TUNING = { cooldownMs: 300, failureCooldownMs: 300, fetchTimeoutMs: 1_500 };
const dir = mkdtempSync(join(tmpdir(), 'mayros-assertion-'));
let configs = 0;

async function startWithKeys(jwksUrl: string): Promise<RunningGateway> {
  const file = join(dir, `c${configs++}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      gateway: {
        port: 0,
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
    }),
  );
  const resolved = loadConfigForStartup({ configPath: file, env: { MAYROS_STATE_DIR: dir } });
  return startGateway({ resolved, keyTuning: TUNING });
}

let k1: TestSigner;
let k2: TestSigner;
let jwks: JwksServer;
let gw: RunningGateway;

const base = (extra: JWTPayload = {}) => claims(Date.now(), { iss: HOST, aud: HOST, email: 'nick@example.com', groups: ['dev', 'ops'], ...extra });
const headersFor = (token: string | string[], user = 'nick@example.com'): Headers => ({ 'x-forwarded-user': user, 'x-pomerium-jwt-assertion': token });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One request over HTTP, as "<status> <reason or user>". */
async function overHttp(headers: Headers, from = '127.0.0.1'): Promise<string> {
  const r = await httpGet(gw.port, '/api/whoami', headers, from);
  return r.status === 200 ? `200 ${r.body.user} [${r.body.groups.join(',')}]` : `${r.status} ${r.body.error.reason}`;
}

/** The same over WebSocket, as "hello <user> [groups]" or "<close code> <reason>". */
async function overWs(headers: Headers, from = '127.0.0.1', port = gw.port): Promise<string> {
  const o = await wsConnect(port, headers, from);
  if (o.kind === 'hello') {
    expect(o.whoami).toEqual(o.payload.identity);
    return `hello ${o.payload.identity.user} [${o.payload.identity.groups.join(',')}]`;
  }
  return o.kind === 'closed' ? `${o.code} ${o.reason}` : `error ${o.message}`;
}

beforeAll(async () => {
  k1 = await makeSigner('k1');
  k2 = await makeSigner('k2');
  jwks = await startJwksServer(jwksOf(k1));
  gw = await startWithKeys(jwks.url);
});

afterAll(async () => {
  await gw?.close(500);
  await jwks?.stop();
  rmSync(dir, { recursive: true, force: true });
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
    expect((await httpGet(gw.port, '/readyz')).body).toEqual({ ready: true, config: { generation: 1, loadedAt: expect.any(String) } });
    expect((await httpGet(gw.port, '/healthz')).body).toEqual({ ok: true });
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
    let g: RunningGateway | undefined;
    try {
      g = await startWithKeys(jwks.url);
      const h = headersFor(await k1.sign(base()));
      const r = await httpGet(g.port, '/api/whoami', h);
      expect([r.status, r.body.error.reason, r.body.error.type, r.headers['retry-after']]).toEqual([503, 'trusted_proxy_assertion_keys_unavailable', 'unavailable', '5']);
      expect(await overWs(h, '127.0.0.1', g.port)).toBe('1013 trusted_proxy_assertion_keys_unavailable');
      const ready = await httpGet(g.port, '/readyz');
      expect([ready.status, ready.body]).toEqual([503, { ready: false, reason: 'trusted_proxy_assertion_keys_unavailable', config: { generation: 1, loadedAt: expect.any(String) } }]);
      expect((await httpGet(g.port, '/healthz')).status).toBe(200);

      await jwks.start();
      let status = 0;
      for (let i = 0; i < 40 && status !== 200; i++) {
        await sleep(100);
        status = (await httpGet(g.port, '/readyz')).status;
      }
      expect(status).toBe(200);
      expect((await httpGet(g.port, '/api/whoami', h)).status).toBe(200);
      expect(await overWs(h, '127.0.0.1', g.port)).toBe('hello nick@example.com [dev,ops]');
    } finally {
      await g?.close(500);
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

/** A masked client text frame (RFC 6455 5.2), for payloads under 64 KiB. */
function clientFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = randomBytes(4);
  const head = payload.length < 126 ? Buffer.from([0x81, 0x80 | payload.length]) : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([head, mask, payload.map((b, i) => b ^ mask[i % 4]!)]);
}

describe('a client that sends its first frame before the upgrade completes', () => {
  it('keeps those bytes for the WebSocket session', async () => {
    // A key the gateway has not seen, served slowly: the upgrade waits while the frame arrives.
    jwks.jwks = jwksOf(k1, k2);
    jwks.mode = 'slow';
    await sleep(350);
    const token = await k2.sign(base());
    const reply = await new Promise<string>((resolve, reject) => {
      const sock = tcpConnect({ host: '127.0.0.1', port: gw.port, localAddress: '127.0.0.1' });
      let got = Buffer.alloc(0);
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new Error(`no hello in time; got ${JSON.stringify(got.toString('latin1'))}`));
      }, 5_000);
      sock.on('connect', () => {
        sock.write(
          [
            'GET / HTTP/1.1',
            `Host: 127.0.0.1:${gw.port}`,
            'Upgrade: websocket',
            'Connection: Upgrade',
            `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
            'Sec-WebSocket-Version: 13',
            'X-Forwarded-User: nick@example.com',
            `X-Pomerium-Jwt-Assertion: ${token}`,
            '',
            '',
          ].join('\r\n'),
          'latin1',
        );
        setTimeout(() => sock.write(clientFrame(JSON.stringify({ type: 'req', id: 'early', method: 'connect', params: { protocol: 1 } }))), 150);
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
    jwks.mode = 'hang'; // a key fetch now takes the whole fetch timeout
    try {
      await sleep(350);
      const unknownKid = headersFor(await k2.sign(base(), { kid: 'k-new-1' }));
      // HTTP: the client hangs up mid-verification.
      await new Promise<void>((resolve) => {
        const req = request({ host: '127.0.0.1', port: gw.port, path: '/api/whoami', headers: unknownKid, localAddress: '127.0.0.1', agent: false });
        req.on('error', () => resolve());
        req.end();
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 200);
      });
      // WebSocket: the upgrade waits; the client gives up.
      const ws = new WebSocket(`ws://127.0.0.1:${gw.port}/`, { headers: unknownKid as Record<string, string>, localAddress: '127.0.0.1' });
      ws.on('error', () => undefined);
      await sleep(200);
      expect(gw.ws.pendingUpgradeCount).toBe(1);
      ws.terminate();
      for (let i = 0; i < 50 && gw.ws.pendingUpgradeCount > 0; i++) await sleep(20);
      expect(gw.ws.pendingUpgradeCount).toBe(0);
      await sleep(1_600); // the fetch times out; the verdicts find their clients gone
      expect(gw.ws.sessions.size).toBe(0);
    } finally {
      jwks.mode = 'ok';
    }
    // The gateway still serves.
    await sleep(350);
    expect(await overHttp(headersFor(await k1.sign(base())))).toBe('200 nick@example.com [dev,ops]');
  });

  it('shutting down ends upgrades still waiting for keys', async () => {
    jwks.mode = 'hang';
    const g = await startWithKeys(jwks.url).catch((e) => {
      jwks.mode = 'ok';
      throw e;
    });
    try {
      await sleep(350); // past the failure cooldown: the upgrade below starts a (hanging) fetch
      const ws = new WebSocket(`ws://127.0.0.1:${g.port}/`, { headers: headersFor(await k1.sign(base())) as Record<string, string>, localAddress: '127.0.0.1' });
      const closed = new Promise<string>((resolve) => {
        ws.on('error', (e) => resolve(`error ${e.message}`));
        ws.on('close', (code) => resolve(`close ${code}`));
      });
      await sleep(150);
      expect(g.ws.pendingUpgradeCount).toBe(1);
      const started = Date.now();
      await g.close(500);
      expect(Date.now() - started).toBeLessThan(1_400);
      expect(await closed).toMatch(/^(error|close)/);
      expect(g.ws.pendingUpgradeCount).toBe(0);
      expect(g.ws.sessions.size).toBe(0);
    } finally {
      jwks.mode = 'ok';
      await g.close(100);
    }
  });
});
