/**
 * The per-client failure limiter of the secret modes (token, password) over real sockets: lockout
 * after repeated failures, whose address is counted behind a proxy, the loopback exemption. What
 * every mode must do with right, wrong and missing credentials is the mode conformance suite
 * (authorize.conformance.e2e.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway-inproc.js';
import { httpRequest } from '../support/http-client.js';
import { wsConnect } from '../support/ws-client.js';

const SECRET = 'correct-horse-battery-staple-42';

describe.each([
  { mode: 'token' as const, key: 'token' as const },
  { mode: 'password' as const, key: 'password' as const },
])('$mode mode', ({ mode, key }) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ trustedProxies: ['127.0.0.1'], auth: { mode, [key]: SECRET, rateLimit: { maxAttempts: 3, windowMs: 60_000, lockoutMs: 60_000, exemptLoopback: false } } });
  });
  afterAll(() => t.stop());

  it('locks out a client after repeated failures, even with the right secret; others are unaffected', async () => {
    const from = '127.0.0.6';
    for (let i = 0; i < 3; i++) {
      const r = await httpRequest(`${t.url}/api/whoami`, { headers: { authorization: 'Bearer wrong' }, localAddress: from });
      expect(r.json.error.reason).toBe(`${mode}_mismatch`);
    }
    const locked = await httpRequest(`${t.url}/api/whoami`, { headers: { authorization: `Bearer ${SECRET}` }, localAddress: from });
    expect(locked.status).toBe(429);
    expect(locked.json.error).toMatchObject({ type: 'rate_limited', reason: 'rate_limited' });
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(50);
    const ws = await wsConnect(t.wsUrl, { auth: { [key]: SECRET }, localAddress: from });
    expect(ws.reply).toMatchObject({ ok: false, error: { reason: 'rate_limited' } });
    expect(await ws.client.closed).toEqual({ code: 1008, reason: 'rate_limited' });
    const other = await httpRequest(`${t.url}/api/whoami`, { headers: { authorization: `Bearer ${SECRET}` }, localAddress: '127.0.0.7' });
    expect(other.status).toBe(200);
  });

  it('behind the trusted proxy, keys the limiter on the rightmost untrusted X-Forwarded-For hop', async () => {
    // The proxy (127.0.0.1) appends the real client; the attacker varies what it wrote on the left.
    for (let i = 0; i < 3; i++) {
      await httpRequest(`${t.url}/api/whoami`, { headers: { authorization: 'Bearer wrong', 'x-forwarded-for': `10.9.9.${i}, 198.51.100.7` } });
    }
    const locked = await httpRequest(`${t.url}/api/whoami`, { headers: { authorization: `Bearer ${SECRET}`, 'x-forwarded-for': '1.1.1.1, 198.51.100.7' } });
    expect(locked.status).toBe(429);
    const otherUser = await httpRequest(`${t.url}/api/whoami`, { headers: { authorization: `Bearer ${SECRET}`, 'x-forwarded-for': '198.51.100.8' } });
    expect(otherUser.status).toBe(200);
  });

  it('ignores X-Forwarded-For from an untrusted peer (cannot dodge the limiter)', async () => {
    const from = '127.0.0.8';
    for (let i = 0; i < 3; i++) {
      await httpRequest(`${t.url}/api/whoami`, { headers: { authorization: 'Bearer wrong', 'x-forwarded-for': `203.0.113.${i}` }, localAddress: from });
    }
    const r = await httpRequest(`${t.url}/api/whoami`, { headers: { authorization: `Bearer ${SECRET}`, 'x-forwarded-for': '203.0.113.99' }, localAddress: from });
    expect(r.status).toBe(429);
  });
});

describe('loopback exemption (the default)', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ auth: { mode: 'token', token: SECRET, rateLimit: { maxAttempts: 2 } } });
  });
  afterAll(() => t.stop());

  it('never locks out a loopback client', async () => {
    for (let i = 0; i < 4; i++) await httpRequest(`${t.url}/api/whoami`, { headers: { authorization: 'Bearer wrong' } });
    const r = await httpRequest(`${t.url}/api/whoami`, { headers: { authorization: `Bearer ${SECRET}` } });
    expect(r.status).toBe(200);
  });
});

describe('behind a same-host proxy that is not in trustedProxies (issue 12, item 4)', () => {
  let t: TestGateway;
  beforeAll(async () => {
    // Default rate limit: 10 failures, loopback exempt, and no proxy listed.
    t = await startTestGateway({ auth: { mode: 'password', password: SECRET } });
  });
  afterAll(() => t.stop());

  it('locks out 127.0.0.1 when the guesses carry X-Forwarded-For; a local tool without forwarding headers stays exempt', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) {
      const r = await httpRequest(`${t.url}/api/whoami`, { headers: { authorization: `Bearer wrong-${i}`, 'x-forwarded-for': `203.0.113.${i}` } });
      statuses.push(r.status);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual(Array(5).fill(429));
    const forwarded = await httpRequest(`${t.url}/api/whoami`, { headers: { authorization: `Bearer ${SECRET}`, 'x-forwarded-for': '198.51.100.1' } });
    expect(forwarded.status).toBe(429);
    const ws = await wsConnect(t.wsUrl, { headers: { 'x-forwarded-for': '198.51.100.1' }, auth: { password: SECRET } });
    expect(ws.reply).toMatchObject({ ok: false, error: { reason: 'rate_limited' } });
    expect(await ws.client.closed).toEqual({ code: 1008, reason: 'rate_limited' });
    // The same address with no forwarding header is a local tool: still exempt.
    expect((await httpRequest(`${t.url}/api/whoami`, { headers: { authorization: `Bearer ${SECRET}` } })).status).toBe(200);
  });

  it.each([
    ['Forwarded', { forwarded: 'for=203.0.113.9;proto=https' }],
    ['X-Real-IP', { 'x-real-ip': '203.0.113.9' }],
    ['X-Forwarded-Host', { 'x-forwarded-host': 'gw.example.com' }],
    ['X-Forwarded-Proto', { 'x-forwarded-proto': 'https' }],
    ['Via', { via: '1.1 proxy' }],
  ])('counts WebSocket guesses carrying only %s against loopback', async (_name, headers) => {
    const g = await startTestGateway({ auth: { mode: 'password', password: SECRET, rateLimit: { maxAttempts: 2 } } });
    try {
      for (let i = 0; i < 2; i++) {
        const { client, reply } = await wsConnect(g.wsUrl, { headers, auth: { password: 'wrong' } });
        expect(reply).toMatchObject({ ok: false, error: { reason: 'password_mismatch' } });
        await client.closed;
      }
      const { client, reply } = await wsConnect(g.wsUrl, { headers, auth: { password: SECRET } });
      expect(reply).toMatchObject({ ok: false, error: { reason: 'rate_limited' } });
      await client.closed;
    } finally {
      await g.stop();
    }
  });
});
