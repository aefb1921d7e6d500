/**
 * WebSocket load generator for figures 2 and 3, in its own process. Commands (over IPC):
 *   handshakes: `concurrency` loops of upgrade + connect + hello-ok, for `durationMs` or `maxCount`
 *   hold:       opens `count` sessions (connect + hello-ok each) and keeps them open, idle
 *   release:    closes every held session
 * Sockets are spread over `localAddresses` (all in 127.0.0.0/8).
 */
import WebSocket from 'ws';
import { serve } from '../lib/worker.js';

const CONNECT = JSON.stringify({ type: 'req', id: '1', method: 'connect', params: { protocol: 1, client: { name: 'mayros-bench', version: '1' } } });

/**
 * One session: resolves with the socket once hello-ok arrives; rejects on anything else.
 * @param {string} url
 * @param {Record<string, string>} headers
 * @param {string} localAddress
 * @param {number} timeoutMs
 * @returns {Promise<WebSocket>}
 */
function session(url, headers, localAddress, timeoutMs) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, localAddress, perMessageDeflate: false, handshakeTimeout: timeoutMs });
    let settled = false;
    const fail = (/** @type {string} */ why) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.terminate();
      reject(new Error(why));
    };
    const timer = setTimeout(() => fail(`no hello-ok within ${timeoutMs} ms`), timeoutMs);
    ws.on('open', () => ws.send(CONNECT));
    ws.on('message', (data) => {
      if (settled) return;
      /** @type {any} */
      let f;
      try {
        f = JSON.parse(data.toString());
      } catch {
        return fail('server sent a frame that is not JSON');
      }
      if (f.type !== 'res' || f.id !== '1') return; // events (presence, tick) before the reply
      if (f.ok !== true || f.payload?.type !== 'hello-ok') return fail(`connect refused: ${JSON.stringify(f.error ?? f).slice(0, 200)}`);
      settled = true;
      clearTimeout(timer);
      resolve(ws);
    });
    ws.on('error', (err) => fail(`socket error: ${err.message}`));
    ws.on('close', (code, reason) => fail(`closed ${code} ${reason.toString()}`));
  });
}

/**
 * @param {{ url: string, headers: Record<string, string>, concurrency: number, durationMs: number, maxCount: number, localAddresses: string[] }} o
 */
async function handshakes(o) {
  let count = 0;
  let errors = 0;
  let firstError = '';
  let next = 0;
  const t0 = performance.now();
  const deadline = t0 + o.durationMs;
  const loop = async () => {
    while (performance.now() < deadline && count + errors < o.maxCount) {
      try {
        const ws = await session(o.url, o.headers, o.localAddresses[next++ % o.localAddresses.length], 5000);
        count++;
        ws.close(1000);
      } catch (err) {
        errors++;
        firstError ||= /** @type {Error} */ (err).message;
        if (errors > 100) break;
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, loop));
  const elapsedMs = performance.now() - t0;
  return { count, errors, firstError, elapsedMs, rate: (count / elapsedMs) * 1000 };
}

/** @type {WebSocket[]} */
let held = [];

/**
 * @param {{ url: string, headers: Record<string, string>, count: number, batch: number, timeoutMs: number, localAddresses: string[] }} o
 */
async function hold(o) {
  const t0 = performance.now();
  const deadline = t0 + o.timeoutMs;
  let next = 0;
  while (held.length < o.count) {
    if (performance.now() > deadline) throw new Error(`only ${held.length} of ${o.count} sessions connected within ${o.timeoutMs} ms`);
    const n = Math.min(o.batch, o.count - held.length);
    const batch = await Promise.all(
      Array.from({ length: n }, () => session(o.url, o.headers, o.localAddresses[next++ % o.localAddresses.length], 15_000)),
    );
    held.push(...batch);
  }
  // A session that the server closes while "idle" would inflate nothing but must not go unnoticed.
  let dropped = 0;
  for (const ws of held) ws.once('close', () => dropped++);
  holdState.dropped = () => dropped;
  return { connected: held.length, ms: performance.now() - t0 };
}

const holdState = { dropped: () => 0 };

/** Reports how many held sessions are still open (the server may not drop idle clients). */
function check() {
  return { open: held.filter((ws) => ws.readyState === WebSocket.OPEN).length, dropped: holdState.dropped() };
}

/** @param {{ timeoutMs: number }} o */
async function release(o) {
  const sockets = held;
  held = [];
  const closed = sockets.map((ws) => (ws.readyState === WebSocket.CLOSED ? null : new Promise((r) => ws.once('close', r))));
  for (const ws of sockets) ws.terminate();
  await Promise.race([Promise.all(closed), new Promise((r) => setTimeout(r, o.timeoutMs))]);
  return { released: sockets.length };
}

serve({ handshakes, hold, check, release });
