/**
 * The WebSocket protocol and HTTP surface, independent of the auth mode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway-inproc.js';
import { httpRequest } from '../support/http-client.js';
import { rawRequest } from '../support/raw-socket.js';
import { connectFrame, wsClient, wsConnect } from '../support/ws-client.js';

const TOKEN = 'protocol-suite-token-0123456789';
let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway(
    { trustedProxies: ['127.0.0.1'], auth: { mode: 'token', token: TOKEN }, controlUi: { allowedOrigins: ['https://console.example.com'] } },
    { limits: { handshakeTimeoutMs: 300, maxPayloadBytes: 4096 } },
  );
});
afterAll(() => t.stop());

async function connected(name = 'test-client') {
  const c = wsClient(t.wsUrl, { connect: false });
  await c.opened;
  c.send({ ...connectFrame({ token: TOKEN }), params: { protocol: 1, client: { name, version: '2.0' }, auth: { token: TOKEN } } });
  const hello = await c.next((f) => f.id === 'connect-1');
  expect(hello.ok).toBe(true);
  return { c, hello };
}

describe('HTTP surface', () => {
  it('GET /healthz needs no auth and says nothing else', async () => {
    const r = await httpRequest(`${t.url}/healthz`, { localAddress: '127.0.0.2' });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ ok: true });
  });

  it('sets security headers on every response', async () => {
    for (const path of ['/healthz', '/api/whoami', '/nope']) {
      const r = await httpRequest(`${t.url}${path}`);
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['referrer-policy']).toBe('no-referrer');
      expect(r.headers['x-frame-options']).toBe('DENY');
    }
  });

  it('answers unknown paths with 404 and other methods with 405', async () => {
    expect((await httpRequest(`${t.url}/api/nothing`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
    expect((await httpRequest(`${t.url}/api/whoami`, { method: 'POST' })).status).toBe(405);
  });

  it('refuses oversized headers', async () => {
    const raw = await rawRequest(t.port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\nConnection: close\r\n\r\n`);
    expect(raw).toMatch(/^HTTP\/1.1 431/);
  });

  it('refuses WebSocket upgrades on other paths', async () => {
    const c = wsClient(`ws://127.0.0.1:${t.port}/other`, { connect: false });
    await expect(c.opened).rejects.toThrow(/404/);
  });
});

describe('connect handshake', () => {
  it('hello-ok carries protocol, server and policy', async () => {
    const { c, hello } = await connected();
    expect(hello.payload).toMatchObject({ type: 'hello-ok', protocol: 1, server: { version: expect.any(String) }, policy: { maxPayloadBytes: 4096, authMode: 'token' } });
    c.close();
  });

  it('closes 1008 connect_required when the first request is not connect', async () => {
    const c = wsClient(t.wsUrl, { connect: false });
    await c.opened;
    c.send({ type: 'req', id: 'x', method: 'status' });
    expect(await c.next((f) => f.id === 'x')).toMatchObject({ ok: false, error: { code: 'CONNECT_REQUIRED', reason: 'connect_required' } });
    expect(await c.closed).toEqual({ code: 1008, reason: 'connect_required' });
  });

  it('closes 1002 protocol_unsupported for another protocol version', async () => {
    const c = wsClient(t.wsUrl, { connect: false });
    await c.opened;
    c.send(connectFrame({ token: TOKEN }, 2));
    expect(await c.next((f) => f.id === 'connect-1')).toMatchObject({ ok: false, error: { code: 'PROTOCOL_UNSUPPORTED', reason: 'protocol_unsupported' } });
    expect(await c.closed).toEqual({ code: 1002, reason: 'protocol_unsupported' });
  });

  it('closes 1008 handshake_timeout when connect never comes', async () => {
    const c = wsClient(t.wsUrl, { connect: false });
    await c.opened;
    expect(await c.closed).toEqual({ code: 1008, reason: 'handshake_timeout' });
  });

  it('answers malformed frames with an error frame and keeps going', async () => {
    const c = wsClient(t.wsUrl, { connect: false });
    await c.opened;
    c.send('{not json');
    expect(await c.next()).toMatchObject({ type: 'res', id: null, ok: false, error: { code: 'INVALID_FRAME' } });
    c.send({ type: 'req', id: 7 });
    expect(await c.next()).toMatchObject({ id: 7, ok: false, error: { code: 'INVALID_FRAME' } });
    c.ws.send(Buffer.from([1, 2, 3]));
    expect(await c.next()).toMatchObject({ ok: false, error: { code: 'INVALID_FRAME', message: expect.stringMatching(/binary/) } });
    c.send({ type: 'req', id: 'p', method: 'connect', params: { protocol: 'one' } });
    expect(await c.next()).toMatchObject({ id: 'p', ok: false, error: { code: 'INVALID_PARAMS' } });
    c.send(connectFrame({ token: TOKEN }));
    expect(await c.next((f) => f.id === 'connect-1')).toMatchObject({ ok: true });
    c.close();
  });

  it('closes 1009 on a frame over the size limit, and the gateway stays up', async () => {
    const { c } = await connected();
    c.send({ type: 'req', id: 'big', method: 'health', params: { pad: 'x'.repeat(8000) } });
    expect((await c.closed).code).toBe(1009);
    expect((await httpRequest(`${t.url}/healthz`)).status).toBe(200);
  });
});

describe('methods and events', () => {
  it('health, whoami, status, presence.list; unknown methods and a second connect are errors', async () => {
    const { c, hello } = await connected('methods');
    expect(await c.request('health')).toMatchObject({ ok: true, payload: { ok: true } });
    expect(await c.request('whoami')).toMatchObject({ ok: true, payload: { user: null, method: 'token' } });
    const status = await c.request('status');
    expect(status.payload).toMatchObject({ authMode: 'token', bind: 'loopback', port: t.port, version: hello.payload.server.version });
    expect(status.payload.clients).toBeGreaterThanOrEqual(1);
    expect(status.payload.uptimeMs).toBeGreaterThanOrEqual(0);
    const presence = await c.request('presence.list');
    expect(presence.payload.entries).toContainEqual(expect.objectContaining({ connId: hello.payload.server.connId, client: { name: 'methods', version: '2.0' } }));
    expect(await c.request('nope')).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    expect(await c.request('connect', { protocol: 1 })).toMatchObject({ ok: false, error: { code: 'ALREADY_CONNECTED' } });
    expect(await c.request('toString')).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    c.close();
  });

  it('broadcasts presence joins and leaves', async () => {
    const a = await connected('watcher');
    const b = await connected('visitor');
    const join = await a.c.next((f) => f.type === 'event' && f.event === 'presence' && f.payload.change === 'join' && f.payload.entry.client.name === 'visitor');
    expect(join.payload.entries.map((e: any) => e.client.name)).toEqual(expect.arrayContaining(['watcher', 'visitor']));
    b.c.ws.close();
    const leave = await a.c.next((f) => f.type === 'event' && f.event === 'presence' && f.payload.change === 'leave');
    expect(leave.payload.entry.connId).toBe(b.hello.payload.server.connId);
    a.c.close();
  });
});

describe('browser origin checks', () => {
  it('accepts the gateway own origin', async () => {
    const { client, reply } = await wsConnect(t.wsUrl, { origin: t.url, auth: { token: TOKEN } });
    expect(reply.ok).toBe(true);
    client.close();
  });

  it('accepts a listed origin', async () => {
    const { client, reply } = await wsConnect(t.wsUrl, { origin: 'https://console.example.com', auth: { token: TOKEN } });
    expect(reply.ok).toBe(true);
    client.close();
  });

  it('closes 1008 origin_not_allowed for another site, before any credential is read', async () => {
    const { client, reply } = await wsConnect(t.wsUrl, { origin: 'https://evil.example', auth: { token: TOKEN } });
    expect(reply).toBeUndefined();
    expect(await client.closed).toEqual({ code: 1008, reason: 'origin_not_allowed' });
  });

  it('honours X-Forwarded-Host from the trusted proxy only', async () => {
    const proxied = { 'x-forwarded-host': 'mayros.example.com', 'x-forwarded-proto': 'https' };
    const viaProxy = await wsConnect(t.wsUrl, { origin: 'https://mayros.example.com', headers: proxied, auth: { token: TOKEN } });
    expect(viaProxy.reply.ok).toBe(true);
    viaProxy.client.close();
    const forged = await wsConnect(t.wsUrl, { origin: 'https://mayros.example.com', headers: proxied, localAddress: '127.0.0.2', auth: { token: TOKEN } });
    expect(await forged.client.closed).toEqual({ code: 1008, reason: 'origin_not_allowed' });
  });
});

describe('shutdown', () => {
  it('sends a shutdown event and closes 1001', async () => {
    const own = await startTestGateway({ auth: { mode: 'none' } });
    const { client, reply } = await wsConnect(own.wsUrl);
    expect(reply.ok).toBe(true);
    const stopped = own.stop();
    expect(await client.next((f) => f.event === 'shutdown')).toMatchObject({ type: 'event', payload: { reason: expect.any(String) } });
    expect((await client.closed).code).toBe(1001);
    await stopped;
  });
});

describe('lan bind (dual stack)', () => {
  it('normalises IPv4-mapped peers before matching trustedProxies', async () => {
    const lan = await startTestGateway({ bind: 'lan', trustedProxies: ['127.0.0.1'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-user' } } });
    try {
      expect(lan.gw.urls[0]).toMatch(/^http:\/\/(\[::\]|0\.0\.0\.0):\d+$/);
      const ok = await httpRequest(`http://127.0.0.1:${lan.port}/api/whoami`, { headers: { 'x-user': 'nick' } });
      expect(ok.json).toEqual({ user: 'nick', method: 'trusted-proxy', groups: [], scopes: ['operator.read', 'operator.write'] });
      const denied = await httpRequest(`http://127.0.0.1:${lan.port}/api/whoami`, { headers: { 'x-user': 'nick' }, localAddress: '127.0.0.2' });
      expect(denied.json.error.reason).toBe('trusted_proxy_untrusted_source');
      const line = lan.logs.findLast((l) => l.event === 'auth_rejected');
      expect(line?.peer).toBe('127.0.0.2');
    } finally {
      await lan.stop();
    }
  });
});
