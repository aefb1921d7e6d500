/**
 * WebSocket limits against misbehaving clients on loopback, with small configured limits instead
 * of long waits: frame floods, oversized frames, clients that stop reading, connection caps,
 * half-open TCP and silent upgrades. Each ends with the gateway holding no leftover session.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway-inproc.js';
import { maskedTextFrame, rawConnect, rawUpgrade, socketClosed } from '../support/raw-socket.js';
import { waitFor, within } from '../support/wait.js';
import { CONNECT_ID, wsClient } from '../support/ws-client.js';

let t: TestGateway | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

const noAuth = (limits: Record<string, number>) => ({ auth: { mode: 'none' }, limits });

async function expectNoSessions(): Promise<void> {
  await waitFor(() => t!.gw.ws.sessions.size === 0 && t!.gw.ws.pendingCount === 0, 4000, 'every session to be released');
}

describe('frame limits', () => {
  it('closes a frame flood with 1008 frame_rate_exceeded after the burst', async () => {
    t = await startTestGateway(noAuth({ maxFramesPerSecond: 10, frameBurst: 20 }));
    const c = wsClient(t.port);
    expect((await c.hello).ok).toBe(true);
    let answered = 0;
    c.ws.on('message', () => answered++);
    for (let i = 0; i < 500; i++) c.ws.send(JSON.stringify({ type: 'req', id: `f${i}`, method: 'health' }));
    expect(await within(c.closed, 3000, 'the flood to be closed')).toMatchObject({ code: 1008, reason: 'frame_rate_exceeded' });
    // The connect frame used one token of the burst; a little refill is possible.
    expect(answered).toBeGreaterThanOrEqual(15);
    expect(answered).toBeLessThanOrEqual(25);
    expect(t.logs.find((l) => l.event === 'session_closed')).toMatchObject({ reason: 'frame_rate_exceeded' });
    await expectNoSessions();
  });

  it('lets a client that stays within the burst keep its session', async () => {
    t = await startTestGateway(noAuth({ maxFramesPerSecond: 10, frameBurst: 20 }));
    const c = wsClient(t.port);
    expect((await c.hello).ok).toBe(true);
    const replies = await Promise.all(Array.from({ length: 15 }, () => c.request('health')));
    expect(replies.every((r) => r.ok === true)).toBe(true);
    expect(c.ws.readyState).toBe(c.ws.OPEN);
    c.ws.close();
  });

  it('closes a message over maxFrameBytes with 1009 frame_too_large, and accepts one under it', async () => {
    t = await startTestGateway(noAuth({ maxFrameBytes: 1024 }));
    const c = wsClient(t.port);
    expect((await c.hello).ok).toBe(true);
    expect(await c.request('health', { pad: 'x'.repeat(900) })).toMatchObject({ ok: true });
    c.ws.send(JSON.stringify({ type: 'req', id: 'big', method: 'health', params: { pad: 'x'.repeat(2000) } }));
    expect(await within(c.closed, 3000, 'the oversized frame to close the socket')).toMatchObject({ code: 1009, reason: 'frame_too_large' });
    expect(t.logs.find((l) => l.event === 'session_closed')).toMatchObject({ reason: 'frame_too_large' });
    await expectNoSessions();
  });
});

describe('slow reader', () => {
  it('disconnects a client that stops reading before its send queue passes maxBufferedBytes', async () => {
    const maxBufferedBytes = 16 * 1024;
    t = await startTestGateway(noAuth({ maxBufferedBytes, maxFramesPerSecond: 1_000_000, frameBurst: 1_000_000 }));
    const s = await rawConnect(t.port);
    expect(await rawUpgrade(s)).toBe('HTTP/1.1 101 Switching Protocols');
    // From here on the client never reads: its receive window fills, then the gateway's queue.
    s.pause();
    s.write(maskedTextFrame(JSON.stringify({ type: 'req', id: 'c', method: 'connect', params: { protocol: 1 } })));
    const closed = socketClosed(s);
    let gone = false;
    void closed.then(() => (gone = true));
    const request = maskedTextFrame(JSON.stringify({ type: 'req', id: 's', method: 'status' }));
    const end = Date.now() + 15_000;
    let sent = 0;
    // Bounded: at most 400k requests or 15 s, whichever comes first.
    while (!gone && sent < 400_000 && Date.now() < end) {
      const batch = Buffer.concat(Array.from({ length: 500 }, () => request));
      if (!s.write(batch)) await Promise.race([new Promise((r) => s.once('drain', r)), closed, new Promise((r) => setTimeout(r, 200))]);
      sent += 500;
      await new Promise((r) => setImmediate(r));
    }
    await waitFor(() => t!.logs.some((l) => l.event === 'session_closed' && l.reason === 'slow_consumer'), 5000, 'the slow consumer to be closed');
    const line = t.logs.find((l) => l.reason === 'slow_consumer')!;
    // The queue stopped growing at the cap plus the one reply that crossed it.
    expect(line.bufferedBytes as number).toBeGreaterThan(maxBufferedBytes);
    expect(line.bufferedBytes as number).toBeLessThan(maxBufferedBytes + 2048);
    // The unanswered close frame does not keep the session: ws destroys the socket after 2 s.
    // (The paused client cannot see that: it reads nothing, not even the FIN.)
    const flagged = Date.now();
    await expectNoSessions();
    expect(Date.now() - flagged).toBeLessThan(3500);
    s.destroy();
    const ok = wsClient(t.port);
    expect((await ok.hello).ok).toBe(true);
    ok.ws.close();
  });
});

describe('connection caps', () => {
  it('refuses sessions past maxConnections with 1013 too_many_connections, and admits again once one leaves', async () => {
    t = await startTestGateway(noAuth({ maxConnections: 3 }));
    const open = [wsClient(t.port), wsClient(t.port), wsClient(t.port)];
    for (const c of open) expect((await c.hello).ok).toBe(true);
    const fourth = wsClient(t.port);
    const refused = await fourth.hello;
    expect(refused).toMatchObject({ ok: false, closed: { code: 1013, reason: 'too_many_connections' } });
    expect(t.gw.ws.sessions.size).toBe(3);

    open[0]!.ws.close();
    await waitFor(() => t!.gw.ws.sessions.size === 2, 3000, 'a session to leave');
    const fifth = wsClient(t.port);
    expect((await fifth.hello).ok).toBe(true);
    for (const c of [...open, fifth]) c.ws.close();
    await expectNoSessions();
  });

  it('refuses sockets past maxUnauthenticated with 1013 too_many_unauthenticated, without touching connected ones', async () => {
    t = await startTestGateway(noAuth({ maxUnauthenticated: 2 }));
    const connected = wsClient(t.port);
    expect((await connected.hello).ok).toBe(true);
    const silent = [wsClient(t.port, { connect: false }), wsClient(t.port, { connect: false })];
    await Promise.all(silent.map((c) => new Promise((r) => c.ws.once('open', r))));
    await waitFor(() => t!.gw.ws.pendingCount === 2, 5000, 'two pending sessions');
    const third = wsClient(t.port);
    expect(await third.hello).toMatchObject({ ok: false, closed: { code: 1013, reason: 'too_many_unauthenticated' } });
    expect(await connected.request('health')).toMatchObject({ ok: true });
    for (const c of [connected, ...silent]) c.ws.close();
    await expectNoSessions();
  });

  it('drops upgrades without a reply once refusals still closing fill the last headroom', async () => {
    t = await startTestGateway(noAuth({ maxConnections: 1, maxUnauthenticated: 1 }));
    const held = wsClient(t.port);
    expect((await held.hello).ok).toBe(true);
    // Refused with a close frame it never answers: it occupies the headroom until ws destroys it.
    const a = await rawConnect(t.port);
    expect(await rawUpgrade(a)).toBe('HTTP/1.1 101 Switching Protocols');
    const aClosed = socketClosed(a);
    const b = await rawConnect(t.port);
    await expect(rawUpgrade(b)).rejects.toThrow(/closed before the upgrade answer/);
    const started = Date.now();
    await within(aClosed, 4000, 'the unanswered refusal to be destroyed');
    expect(Date.now() - started).toBeLessThan(3500);
    held.ws.close();
    await expectNoSessions();
  });
});

describe('per-address caps (issue 12, item 5)', () => {
  const TOKEN = 'per-address-suite-token-0123456789';

  it('100 idle sockets from one address leave room for the right token from another (default limits)', async () => {
    t = await startTestGateway({ auth: { mode: 'token', token: TOKEN } });
    const idle = Array.from({ length: 100 }, () => wsClient(t!.port, { localAddress: '127.0.0.2', connect: false }));
    // Every socket is either upgraded and waiting, or refused with a close.
    const outcomes = await Promise.all(idle.map((c) => within(Promise.race([new Promise<string>((r) => c.ws.once('open', () => r('open'))), c.closed.then((x) => `${x.code} ${x.reason}`)]), 5000, 'each idle socket to open or be refused')));
    await waitFor(() => t!.gw.ws.pendingCount === 10, 3000, 'ten pending sockets from 127.0.0.2');
    const refusals = await Promise.all(idle.slice(10).map((c) => within(c.closed, 5000, 'the refusal').then((x) => `${x.code} ${x.reason}`)));
    expect(new Set(refusals)).toEqual(new Set(['1013 too_many_unauthenticated_per_address']));
    expect(outcomes.filter((o) => o === 'open')).toHaveLength(100);

    const good = wsClient(t.port, { localAddress: '127.0.0.1', auth: { token: TOKEN } });
    expect(await good.hello).toMatchObject({ ok: true });
    expect(t.logs.find((l) => l.reason === 'too_many_unauthenticated_per_address')).toMatchObject({ peer: '127.0.0.2', client: '127.0.0.2' });
    for (const c of [...idle, good]) c.ws.close();
    await expectNoSessions();
    expect(t.gw.ws.addresses.size).toBe(0);
  });

  it('caps connected sessions per address; another address is unaffected', async () => {
    t = await startTestGateway(noAuth({ maxConnectionsPerAddress: 3 }));
    const three = [0, 1, 2].map(() => wsClient(t!.port, { localAddress: '127.0.0.2' }));
    for (const c of three) expect((await c.hello).ok).toBe(true);
    const fourth = wsClient(t.port, { localAddress: '127.0.0.2' });
    expect(await fourth.hello).toMatchObject({ ok: false, closed: { code: 1013, reason: 'too_many_connections_per_address' } });
    const other = wsClient(t.port, { localAddress: '127.0.0.3' });
    expect((await other.hello).ok).toBe(true);
    three[0]!.ws.close();
    await waitFor(() => t!.gw.ws.addresses.get('127.0.0.2')?.sessions === 2, 3000, 'a session to leave');
    const again = wsClient(t.port, { localAddress: '127.0.0.2' });
    expect((await again.hello).ok).toBe(true);
    for (const c of [...three, other, again]) c.ws.close();
    await expectNoSessions();
  });

  it('behind a trusted proxy, counts each X-Forwarded-For client on its own, and never the proxy itself', async () => {
    t = await startTestGateway({
      trustedProxies: ['127.0.0.1'],
      auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-user' } },
      limits: { maxUnauthenticatedPerAddress: 2 },
    });
    const via = (client?: string) => wsClient(t!.port, { headers: { 'x-user': 'alice', ...(client ? { 'x-forwarded-for': client } : {}) }, connect: false });
    const a = [via('203.0.113.1'), via('203.0.113.1')];
    await Promise.all(a.map((c) => new Promise((r) => c.ws.once('open', r))));
    expect(await via('203.0.113.1').hello).toMatchObject({ ok: false, closed: { code: 1013, reason: 'too_many_unauthenticated_per_address' } });
    // Another client behind the same proxy still gets in.
    const b = via('203.0.113.2');
    await new Promise((r) => b.ws.once('open', r));
    // The proxy naming no client stands for everyone behind it: only the global caps apply.
    const bare = [via(), via(), via()];
    await Promise.all(bare.map((c) => new Promise((r) => c.ws.once('open', r))));
    await waitFor(() => t!.gw.ws.pendingCount === 6, 3000, 'six pending sessions');
    for (const c of [...a, b, ...bare]) c.ws.close();
    await expectNoSessions();
  });
});

describe('handshake timeouts', () => {
  it('closes a TCP connection that never sends a request (half-open), with 408', async () => {
    t = await startTestGateway(noAuth({ handshakeTimeoutMs: 300 }));
    const s = await rawConnect(t.port);
    let got = '';
    s.on('data', (d: Buffer) => (got += d.toString('latin1')));
    const start = Date.now();
    await within(socketClosed(s), 4000, 'the silent TCP connection to be closed');
    expect(Date.now() - start).toBeGreaterThanOrEqual(250);
    expect(got).toMatch(/^HTTP\/1.1 408/);
  });

  it('closes a connection that stops halfway through its request headers', async () => {
    t = await startTestGateway(noAuth({ handshakeTimeoutMs: 300 }));
    const s = await rawConnect(t.port);
    s.resume();
    s.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n');
    await within(socketClosed(s), 4000, 'the half-sent request to be closed');
  });

  it('does not time out a connect frame that arrived while the event loop was stalled', async () => {
    t = await startTestGateway(noAuth({ handshakeTimeoutMs: 300 }));
    const c = wsClient(t.port, { connect: false });
    await new Promise((r) => c.ws.once('open', r));
    await waitFor(() => t!.gw.ws.pendingCount === 1, 5000, 'the pending session');
    c.ws.send(JSON.stringify({ type: 'req', id: CONNECT_ID, method: 'connect', params: { protocol: 1 } }));
    // Block this (shared) event loop past the handshake deadline, as a long GC or a starved CPU
    // would: when it resumes, the timer is overdue and the connect frame is already buffered.
    const until = Date.now() + 500;
    while (Date.now() < until) {
      /* stall */
    }
    expect(await within(c.hello, 3000, 'the connect answer')).toMatchObject({ ok: true });
    c.ws.close();
  });

  it('closes an upgraded socket that never sends connect with 1008 handshake_timeout', async () => {
    t = await startTestGateway(noAuth({ handshakeTimeoutMs: 300 }));
    const c = wsClient(t.port, { connect: false });
    const closed = await within(c.closed, 3000, 'the silent WebSocket to be closed');
    expect(closed).toMatchObject({ code: 1008, reason: 'handshake_timeout' });
    await expectNoSessions();
  });
});
