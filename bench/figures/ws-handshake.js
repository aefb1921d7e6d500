/**
 * Figure 2: WebSocket handshake rate. Each round trip is a new TCP connection, the upgrade, the
 * `connect` request and its `hello-ok` reply; `concurrency` clients loop on it. The baseline is a
 * bare `ws` server that answers the first frame with one hello-ok-shaped frame.
 */
import { CLIENT_ADDRESSES, proxyHeaders } from '../lib/fixtures.js';
import { startBareWs, startClient, startGateway, withServerCpu } from '../lib/servers.js';
import { median, pairedRatio } from '../lib/stats.js';

/** @param {import('../run.js').Context} ctx */
export async function run(ctx) {
  const { ws, sizes } = ctx;
  const headers = proxyHeaders(ws.user);
  const gw = await ctx.track(startGateway(ws));
  const bare = await ctx.track(startBareWs());
  const load = ctx.track(startClient('ws-load.js'));
  const wsUrl = (url) => `${url.replace(/^http/, 'ws')}/`;

  const once = async (server, durationMs) => {
    const r = await withServerCpu(server.child, () =>
      load.request(
        'handshakes',
        { url: wsUrl(server.url), headers, concurrency: sizes.wsConcurrency, durationMs, maxCount: sizes.wsMaxCount, localAddresses: CLIENT_ADDRESSES },
        durationMs + 30_000,
      ),
    );
    if (r.count === 0 || r.errors > 0) throw new Error(`handshake run on ${server.url} was not clean: ${r.count} ok, ${r.errors} errors (first: ${r.firstError})`);
    return { ...r, cpuUsPerHandshake: r.serverCpuUs / r.count };
  };

  if (sizes.wsWarmupMs > 0) {
    await once(gw, sizes.wsWarmupMs);
    await once(bare, sizes.wsWarmupMs);
  }
  /** @type {any[]} */
  const g = [];
  /** @type {any[]} */
  const b = [];
  for (let i = 0; i < sizes.wsPairs; i++) {
    if (i % 2 === 0) {
      g.push(await once(gw, sizes.wsRunMs));
      b.push(await once(bare, sizes.wsRunMs));
    } else {
      b.push(await once(bare, sizes.wsRunMs));
      g.push(await once(gw, sizes.wsRunMs));
    }
  }
  const rate = (xs) => xs.map((x) => x.rate);
  const cpu = (xs) => xs.map((x) => x.cpuUsPerHandshake);
  const ratio = pairedRatio(rate(g), rate(b));
  const cpuRatio = pairedRatio(cpu(g), cpu(b));
  return {
    id: '2-ws-handshake',
    title: 'WebSocket handshakes (upgrade + connect + hello-ok) per second',
    rows: [
      { metric: `handshakes/s (${sizes.wsConcurrency} clients)`, unit: '', gateway: median(rate(g)), baseline: median(rate(b)), ratio, target: '>= 0.7x', pass: ratio >= 0.7 },
      { metric: 'server CPU per handshake', unit: 'us', gateway: median(cpu(g)), baseline: median(cpu(b)), ratio: cpuRatio, target: '', pass: undefined },
    ],
    details: { gateway: g, baseline: b, concurrency: sizes.wsConcurrency, runMs: sizes.wsRunMs, pairs: sizes.wsPairs },
    note: 'clients do not subscribe to presence events (see docs/performance.md); server CPU per handshake is context',
  };
}
