/**
 * Trusted-proxy mode over real sockets: 127.0.0.1 plays the proxy, 127.0.0.2 the attacker.
 * Every reason code is proven over HTTP and over the WebSocket upgrade; the cases every mode runs
 * (right, wrong and missing identity, an untrusted peer with or without forged forwarding
 * headers) are in the mode conformance suite (authorize.conformance.e2e.test.ts), on this config.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway-inproc.js';
import { httpRequest } from '../support/http-client.js';
import { rawRequest } from '../support/raw-socket.js';
import { wsConnect } from '../support/ws-client.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({
    trustedProxies: ['127.0.0.1', '::1'],
    auth: {
      mode: 'trusted-proxy',
      trustedProxy: { userHeader: 'x-forwarded-user', requiredHeaders: ['x-forwarded-proto'], allowUsers: ['nick@example.com', 'ana@example.com'] },
    },
  });
});
afterAll(() => t.stop());

const proxied = { 'x-forwarded-proto': 'https', 'x-forwarded-user': 'nick@example.com' };

type Case = { name: string; from: string; headers: Record<string, string | string[]>; reason: string; status: number };
const refusals: Case[] = [
  { name: 'required header missing', from: '127.0.0.1', headers: { 'x-forwarded-user': 'nick@example.com' }, reason: 'trusted_proxy_missing_header_x-forwarded-proto', status: 401 },
  { name: 'required header blank', from: '127.0.0.1', headers: { ...proxied, 'x-forwarded-proto': ' ' }, reason: 'trusted_proxy_missing_header_x-forwarded-proto', status: 401 },
  { name: 'identity header in underscore spelling', from: '127.0.0.1', headers: { 'x-forwarded-proto': 'https', x_forwarded_user: 'nick@example.com' }, reason: 'trusted_proxy_user_missing', status: 401 },
  { name: 'identity header sent twice', from: '127.0.0.1', headers: { 'x-forwarded-proto': 'https', 'x-forwarded-user': ['eve@example.com', 'nick@example.com'] }, reason: 'trusted_proxy_user_ambiguous', status: 401 },
  { name: 'identity header with a joined list', from: '127.0.0.1', headers: { 'x-forwarded-proto': 'https', 'x-forwarded-user': 'eve@example.com, nick@example.com' }, reason: 'trusted_proxy_user_ambiguous', status: 401 },
];

describe('HTTP /api/whoami', () => {
  it('matches header names case-insensitively', async () => {
    const r = await httpRequest(`${t.url}/api/whoami`, { headers: { 'X-Forwarded-Proto': 'https', 'X-FORWARDED-USER': 'ana@example.com' } });
    expect(r.json).toEqual({ user: 'ana@example.com', method: 'trusted-proxy', groups: [], scopes: ['operator.read', 'operator.write'] });
  });

  it.each(refusals)('refuses: $name -> $reason', async ({ from, headers, reason, status }) => {
    const r = await httpRequest(`${t.url}/api/whoami`, { headers, localAddress: from });
    expect(r.status).toBe(status);
    expect(r.json.error).toMatchObject({ type: status === 403 ? 'forbidden' : 'unauthorized', reason });
    expect(r.json.error.message).toMatch(/\w+ \w+/);
    expect(r.json.error.fix).toMatch(/\w+ \w+/);
  });

  it('sees the same header twice when spelled in different cases on the wire', async () => {
    const raw = await rawRequest(t.port, 'GET /api/whoami HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: https\r\nX-Forwarded-User: nick@example.com\r\nx-forwarded-user: eve@example.com\r\nConnection: close\r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1.1 401/);
    expect(raw).toContain('"reason":"trusted_proxy_user_ambiguous"');
  });

  it('logs each rejection with reason, peer and path, without the query string', async () => {
    await httpRequest(`${t.url}/api/whoami?secret=s3cr3t-value`, { headers: proxied, localAddress: '127.0.0.2' });
    const line = t.logs.findLast((l) => l.event === 'auth_rejected');
    expect(line).toMatchObject({ reason: 'trusted_proxy_untrusted_source', peer: '127.0.0.2', path: '/api/whoami', surface: 'http' });
    expect(t.rawLogs()).not.toContain('s3cr3t-value');
  });
});

describe('WebSocket upgrade', () => {
  it('admits the proxied user and replies hello-ok with the identity', async () => {
    const { client, reply } = await wsConnect(t.wsUrl, { headers: proxied });
    expect(reply).toMatchObject({ type: 'res', id: 'connect-1', ok: true, payload: { type: 'hello-ok', protocol: 1, identity: { user: 'nick@example.com', method: 'trusted-proxy' } } });
    expect(reply.payload.server.connId).toMatch(/[0-9a-f-]{36}/);
    client.close();
  });

  it('ignores a token in the connect frame: the identity comes from the proxy', async () => {
    const { client, reply } = await wsConnect(t.wsUrl, { headers: proxied, auth: { token: 'whatever' } });
    expect(reply.payload.identity.user).toBe('nick@example.com');
    client.close();
  });

  it('checks the browser origin with its scheme: behind an https proxy, an http page on the same host is refused', async () => {
    const viaTls = { ...proxied, 'x-forwarded-proto': 'https', 'x-forwarded-host': 'gw.example.com' };
    const plain = await wsConnect(t.wsUrl, { headers: viaTls, origin: 'http://gw.example.com' });
    expect(plain.reply).toBeUndefined();
    expect(await plain.client.closed).toEqual({ code: 1008, reason: 'origin_not_allowed' });
    const tls = await wsConnect(t.wsUrl, { headers: viaTls, origin: 'https://gw.example.com' });
    expect(tls.reply).toMatchObject({ ok: true, payload: { identity: { user: 'nick@example.com' } } });
    tls.client.close();
  });

  it.each(refusals)('closes 1008: $name -> $reason', async ({ from, headers, reason }) => {
    const { client, reply } = await wsConnect(t.wsUrl, { headers, localAddress: from });
    expect(reply).toBeUndefined();
    expect(await client.closed).toEqual({ code: 1008, reason });
  });
});
