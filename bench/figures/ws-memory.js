/**
 * Figure 3: memory per idle authenticated WebSocket. The server runs in its own process with
 * --expose-gc and reports its memory over IPC after a full collection; the clients run in another
 * process. Growth is measured from a warmed-up, empty server to one holding `count` sessions.
 */
import { CLIENT_ADDRESSES, proxyHeaders } from '../lib/fixtures.js';
import { startBareWs, startClient, startGateway } from '../lib/servers.js';

const KB = 1024;

/**
 * @param {import('../run.js').Context} ctx
 * @param {() => Promise<{ child: import('../lib/proc.js').Child, url: string }>} start
 */
async function measure(ctx, start) {
  const { ws, sizes } = ctx;
  const server = await start();
  const load = startClient('ws-load.js');
  try {
    const base = { url: `${server.url.replace(/^http/, 'ws')}/`, headers: proxyHeaders(ws.user), localAddresses: CLIENT_ADDRESSES, batch: sizes.memBatch };
    // Warm-up: JIT, lazily allocated buffers and pools, so they are not charged to the sessions.
    await load.request('hold', { ...base, count: sizes.memWarmup, timeoutMs: 60_000 }, 70_000);
    await load.request('release', { timeoutMs: 10_000 }, 15_000);
    await new Promise((r) => setTimeout(r, 300));
    const before = await server.child.request('mem', {}, 30_000);
    const held = await load.request('hold', { ...base, count: sizes.memClients, timeoutMs: 120_000 }, 130_000);
    const after = await server.child.request('mem', {}, 30_000);
    const check = await load.request('check', {}, 10_000);
    if (check.open !== sizes.memClients) throw new Error(`${sizes.memClients - check.open} of ${sizes.memClients} idle sessions were closed by the server`);
    await load.request('release', { timeoutMs: 20_000 }, 25_000);
    const n = sizes.memClients;
    return {
      heapPerConn: (after.heapUsed - before.heapUsed) / n,
      rssPerConn: (after.rss - before.rss) / n,
      externalPerConn: (after.external - before.external) / n,
      connectMs: held.ms,
      before,
      after,
    };
  } finally {
    await load.stop();
    await server.child.stop();
  }
}

/** @param {import('../run.js').Context} ctx */
export async function run(ctx) {
  const { sizes } = ctx;
  const g = await measure(ctx, () => startGateway(ctx.ws));
  const b = await measure(ctx, () => startBareWs());
  const limit = 30 * KB;
  const row = (metric, gv, bv) => {
    const ratio = gv / bv;
    return { metric, unit: 'KB', gateway: gv / KB, baseline: bv / KB, ratio, target: '<= 1.5x, <= 30 KB', pass: ratio <= 1.5 && gv <= limit };
  };
  return {
    id: '3-ws-memory',
    title: `Memory per idle authenticated WebSocket (${sizes.memClients} clients)`,
    rows: [row('heap per connection', g.heapPerConn, b.heapPerConn), row('RSS per connection', g.rssPerConn, b.rssPerConn)],
    details: { clients: sizes.memClients, gateway: g, baseline: b },
    note: 'server memory read after global.gc(); RSS growth includes V8 heap pages kept after collection',
  };
}
