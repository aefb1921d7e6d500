// Soak clients: one function per behaviour, each returning what happened so the driver can tell
// a right outcome from a wrong one. Loopback only; every wait is bounded.
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import WebSocket from 'ws';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Resolves with `p` or with `fallback` after `ms`. */
export function orAfter(p, ms, fallback) {
  let timer;
  return Promise.race([p, new Promise((r) => (timer = setTimeout(() => r(fallback), ms)))]).finally(() => clearTimeout(timer));
}

/** A WebSocket session with request/response helpers. */
export function session(port, { src, user, doConnect = true }) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { headers: user ? { 'x-user': user } : {}, localAddress: src, handshakeTimeout: 20_000 });
  const pending = new Map();
  let seq = 0;
  let serverClosed = false;
  ws.on('error', () => undefined);
  const closed = new Promise((resolve) =>
    ws.on('close', (code, reason) => {
      for (const fn of pending.values()) fn(undefined);
      resolve({ code, reason: reason.toString(), at: Date.now(), byServer: serverClosed || code !== 1000 });
    }),
  );
  const hello = new Promise((resolve) => {
    ws.on('message', (data) => {
      // Events ({"type":"event",...}) are most of the traffic and need no parsing here.
      if (data[9] === 0x65) return;
      let f;
      try {
        f = JSON.parse(data.toString());
      } catch {
        return;
      }
      if (f.id === 'connect') resolve(f.ok ? { ok: true } : { ok: false, error: f.error });
      const fn = pending.get(f.id);
      if (fn) {
        pending.delete(f.id);
        fn(f);
      }
    });
    closed.then((c) => resolve({ ok: false, closed: c }));
  });
  if (doConnect) ws.on('open', () => ws.send(JSON.stringify({ type: 'req', id: 'connect', method: 'connect', params: { protocol: 1, client: { name: 'soak' } } })));
  return {
    ws,
    hello,
    closed,
    /** Sends a request; resolves with the response frame, or undefined if the socket closed first. */
    call(method, params) {
      if (ws.readyState !== WebSocket.OPEN) return Promise.resolve(undefined);
      const id = `r${++seq}`;
      const p = new Promise((resolve) => pending.set(id, resolve));
      ws.send(JSON.stringify({ type: 'req', id, method, params }));
      return orAfter(p, 20_000, undefined);
    },
    sendRaw(data, binary = false) {
      if (ws.readyState === WebSocket.OPEN) ws.send(data, { binary });
    },
  };
}

/**
 * Admitted, then talks at a human pace until `lifetimeMs`, then leaves. `onAdmitted` may return
 * a handle whose `hold` flag, once set, makes the client wait for the server to close it instead
 * of leaving on its own.
 */
export async function talker(port, src, user, lifetimeMs, onAdmitted) {
  const s = session(port, { src, user });
  const startedAt = Date.now();
  const hello = await orAfter(s.hello, 30_000, { ok: false, stuck: true });
  if (!hello.ok) {
    s.ws.terminate();
    return { admitted: false, startedAt, refusal: hello.closed ? `${hello.closed.code}:${hello.closed.reason}` : hello.error?.reason ?? 'no answer', s };
  }
  const result = { admitted: true, startedAt, admittedAt: Date.now(), calls: 0, badReplies: 0, closedByServer: undefined, s };
  const handle = onAdmitted?.(s) ?? {};
  const methods = ['health', 'status', 'whoami'];
  while (Date.now() - startedAt < lifetimeMs && s.ws.readyState === WebSocket.OPEN) {
    const r = await s.call(methods[result.calls % methods.length]);
    if (r === undefined) break;
    result.calls++;
    if (!r.ok) result.badReplies++;
    await sleep(300 + Math.floor(Math.random() * 1200));
  }
  if (handle.hold) await orAfter(s.closed, 3000, undefined);
  if (s.ws.readyState === WebSocket.OPEN) s.ws.close(1000, 'bye');
  const c = await orAfter(s.closed, 10_000, undefined);
  if (!c) s.ws.terminate();
  else if (c.code !== 1000 && c.code !== 1005) result.closedByServer = c;
  return result;
}

/** Expects a refusal; returns what it got. */
export async function refused(port, src, user) {
  const s = session(port, { src, user });
  const hello = await orAfter(s.hello, 30_000, { ok: false, stuck: true });
  if (hello.ok) s.ws.close(1000);
  else s.ws.terminate();
  return { admitted: hello.ok, reason: hello.closed?.reason || hello.error?.reason || (hello.stuck ? 'no answer' : `closed ${hello.closed?.code}`) };
}

/** Admitted, then sends frames the gateway must answer with errors without dropping the session. */
export async function badFrames(port, src, user) {
  const s = session(port, { src, user });
  const hello = await orAfter(s.hello, 30_000, { ok: false });
  if (!hello.ok) return { admitted: false, ok: false };
  s.sendRaw('this is not json');
  s.sendRaw(Buffer.from([1, 2, 3]), true);
  s.sendRaw(JSON.stringify({ type: 'req', id: 'x' }));
  await sleep(200);
  const after = await s.call('health');
  const ok = after?.ok === true && s.ws.readyState === WebSocket.OPEN;
  // No answer in time (a starved machine) is not the same as a dropped session.
  const late = after === undefined && s.ws.readyState === WebSocket.OPEN;
  s.ws.close(1000);
  await orAfter(s.closed, 10_000, undefined);
  return { admitted: true, ok, late };
}

/** Admitted, then floods: must be closed with frame_rate_exceeded. */
export async function flooder(port, src, user) {
  const s = session(port, { src, user });
  const hello = await orAfter(s.hello, 30_000, { ok: false });
  if (!hello.ok) return { admitted: false, reason: undefined };
  for (let i = 0; i < 300; i++) s.sendRaw(JSON.stringify({ type: 'req', id: `f${i}`, method: 'health' }));
  const c = await orAfter(s.closed, 30_000, undefined);
  if (!c) s.ws.terminate();
  return { admitted: true, reason: c?.reason, code: c?.code };
}

/** Upgrades and never sends connect: must be closed with handshake_timeout. */
export async function silent(port, src, user) {
  const s = session(port, { src, user, doConnect: false });
  const c = await orAfter(s.closed, 40_000, undefined);
  if (!c) s.ws.terminate();
  return { reason: c?.reason, code: c?.code };
}

function maskedText(text) {
  const payload = Buffer.from(text);
  const mask = randomBytes(4);
  const head = payload.length < 126 ? Buffer.from([0x81, 0x80 | payload.length]) : Buffer.from([0x81, 0xfe, payload.length >> 8, payload.length & 0xff]);
  const body = Buffer.alloc(payload.length);
  for (let i = 0; i < payload.length; i++) body[i] = payload[i] ^ mask[i & 3];
  return Buffer.concat([head, mask, body]);
}

/**
 * Connects on a raw socket, then asks for the (large) presence list over and over without reading.
 * Afterwards it reads again: a gateway that dropped it shows as the socket ending.
 */
export async function stopsReading(port, src, user) {
  const sock = connect({ host: '127.0.0.1', port, localAddress: src });
  sock.on('error', () => undefined);
  const ended = new Promise((r) => sock.once('close', () => r(true)));
  await orAfter(new Promise((r) => sock.once('connect', r)), 10_000);
  const key = randomBytes(16).toString('base64');
  sock.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nx-user: ${user}\r\n\r\n`);
  const head = await orAfter(new Promise((r) => sock.once('data', (d) => r(d.toString('latin1')))), 10_000, '');
  if (!head.startsWith('HTTP/1.1 101')) {
    sock.destroy();
    return { upgraded: false, dropped: false };
  }
  sock.pause();
  sock.write(maskedText(JSON.stringify({ type: 'req', id: 'c', method: 'connect', params: { protocol: 1 } })));
  // Within the frame rate (20/s): 10 requests a second for up to 12 s.
  for (let i = 0; i < 120; i++) {
    if (sock.destroyed) break;
    sock.write(maskedText(JSON.stringify({ type: 'req', id: `p${i}`, method: 'presence.list' })));
    await sleep(100);
  }
  sock.resume();
  const dropped = await orAfter(ended, 10_000, false);
  sock.destroy();
  return { upgraded: true, dropped };
}
