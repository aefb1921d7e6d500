/**
 * Refusals name whose sign-in was refused (only for requests from a configured proxy), and
 * admitted sessions are logged, one line each, limited under load.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway-inproc.js';
import { httpRequest } from '../support/http-client.js';
import { wsClient } from '../support/ws-client.js';

const TP = { trustedProxies: ['127.0.0.1'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user', allowUsers: ['alice@example.com'] } } };

describe('claimed user on refusals', () => {
  let g: TestGateway;
  beforeAll(async () => {
    g = await startTestGateway(TP);
  });
  afterAll(() => g.stop());

  const rejections = () => g.logs.filter((l) => l.event === 'auth_rejected');

  it('HTTP: the refusal body and the log line name the user the proxy signed in', async () => {
    const r = await httpRequest(`${g.url}/api/whoami`, { headers: { 'x-forwarded-user': 'eve@example.com' } });
    expect(r.status).toBe(403);
    expect(r.json.error).toMatchObject({ reason: 'trusted_proxy_user_not_allowed', claimedUser: 'eve@example.com' });
    expect(rejections().at(-1)).toMatchObject({ reason: 'trusted_proxy_user_not_allowed', claimedUser: 'eve@example.com', surface: 'http' });
  });

  it('never echoes a header that did not come from a configured proxy', async () => {
    const r = await httpRequest(`${g.url}/api/whoami`, { headers: { 'x-forwarded-user': 'eve@example.com' }, localAddress: '127.0.0.2' });
    expect(r.json.error.reason).toBe('trusted_proxy_untrusted_source');
    expect(r.text).not.toContain('eve@example.com');
    expect(rejections().at(-1)).toMatchObject({ reason: 'trusted_proxy_untrusted_source' });
    expect(rejections().at(-1)!.claimedUser).toBeUndefined();
    // Two identity headers: no single user was claimed.
    const twice = await httpRequest(`${g.url}/api/whoami`, { headers: { 'x-forwarded-user': ['eve@example.com', 'alice@example.com'] } });
    expect(twice.json.error.reason).toBe('trusted_proxy_user_ambiguous');
    expect(twice.json.error.claimedUser).toBeUndefined();
  });

  it('replaces control characters and caps the length', async () => {
    const long = `${'x'.repeat(300)}@example.com`;
    const r = await httpRequest(`${g.url}/api/whoami`, { headers: { 'x-forwarded-user': `eve\tsmith@example.com` } });
    expect(r.json.error.claimedUser).toBe('eve smith@example.com');
    const l = await httpRequest(`${g.url}/api/whoami`, { headers: { 'x-forwarded-user': long } });
    expect(l.json.error.claimedUser).toBe(`${'x'.repeat(256)}…`);
  });

  it('WebSocket: a "refused" event with the user comes before the close', async () => {
    const c = wsClient(g.wsUrl, { connect: false, headers: { 'x-forwarded-user': 'eve@example.com' } });
    const closed = await c.closed;
    expect(closed).toEqual({ code: 1008, reason: 'trusted_proxy_user_not_allowed' });
    expect(c.frames).toEqual([{ type: 'event', event: 'refused', payload: { reason: 'trusted_proxy_user_not_allowed', claimedUser: 'eve@example.com' } }]);
    expect(rejections().at(-1)).toMatchObject({ claimedUser: 'eve@example.com', surface: 'ws' });
    // Without a claimed user, nothing is sent before the close.
    const anon = wsClient(g.wsUrl, { connect: false });
    expect((await anon.closed).reason).toBe('trusted_proxy_user_missing');
    expect(anon.frames).toEqual([]);
  });
});

describe('sign-in log', () => {
  let g: TestGateway;
  const now = Date.now();
  beforeAll(async () => {
    // A frozen clock: the limiter's burst is all there is.
    g = await startTestGateway({ ...TP, auth: { ...TP.auth, trustedProxy: { userHeader: 'x-forwarded-user' } } }, { now: () => now });
  });
  afterAll(() => g.stop());

  it('logs one line per admitted session, with the user, and limits the lines under a flood', async () => {
    const open = async (user: string) => {
      const c = wsClient(g.wsUrl, { connect: false, headers: { 'x-forwarded-user': user } });
      const reply = await c.request('connect', { protocol: 1, client: { name: 'e2e' } });
      expect(reply.ok).toBe(true);
      return c;
    };
    const first = await open('alice@example.com');
    const lines = () => g.logs.filter((l) => l.event === 'session_opened');
    expect(lines()).toHaveLength(1);
    expect(lines()[0]).toMatchObject({ msg: 'signed in', user: 'alice@example.com', method: 'trusted-proxy', peer: '127.0.0.1', client: 'e2e', connId: expect.any(String) });
    // A request on the open session logs nothing more.
    expect((await first.request('status')).ok).toBe(true);
    expect(lines()).toHaveLength(1);

    const many = [];
    for (let i = 0; i < 70; i++) many.push(await open(`user${i}@example.com`));
    // 50 at once (the limiter's burst), the rest counted and not written.
    expect(lines()).toHaveLength(50);
    for (const c of [first, ...many]) c.close();
  });
});
