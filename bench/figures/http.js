/**
 * Figure 1: authorized HTTP throughput. GET /api/whoami on the gateway in trusted-proxy mode
 * (64 trustedProxies, 1,000 allowUsers) against a bare node:http server sending the same bytes.
 * Load comes from a separate autocannon process; both servers are warmed up, then timed runs
 * alternate gateway and baseline so drift on the shared machine hits both alike.
 */
import { proxyHeaders } from '../lib/fixtures.js';
import { startBareHttp, startClient, startGateway, withServerCpu } from '../lib/servers.js';
import { median, pairedRatio } from '../lib/stats.js';

/**
 * Checks that a server answers the benchmark request with 200 and the expected identity, so the
 * figure never measures a fast stream of refusals. Returns the body text.
 */
async function expectWhoami(url, headers, user) {
  const res = await fetch(`${url}/api/whoami`, { headers, signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  const body = JSON.parse(text);
  if (res.status !== 200 || body.user !== user || body.method !== 'trusted-proxy') {
    throw new Error(`${url}/api/whoami answered ${res.status} ${text}, expected 200 for ${user}`);
  }
  return text;
}

/** @param {import('../run.js').Context} ctx */
export async function run(ctx) {
  const { ws, sizes } = ctx;
  const headers = proxyHeaders(ws.user);
  const gw = await ctx.track(startGateway(ws));
  const body = await expectWhoami(gw.url, headers, ws.user);
  const bare = await ctx.track(startBareHttp(body));
  const load = ctx.track(startClient('http-load.js'));
  if ((await expectWhoami(bare.url, headers, ws.user)) !== body) throw new Error('the baseline does not answer the gateway\'s exact body');

  const timeout = (sec) => sec * 1000 + 15_000;
  const once = async (server, durationSec) => {
    const url = server.url;
    const r = await withServerCpu(server.child, () =>
      load.request('run', { url: `${url}/api/whoami`, headers, connections: sizes.httpConnections, durationSec }, timeout(durationSec)),
    );
    if (r.requests === 0 || r.non2xx > 0 || r.errors > 0 || r.timeouts > 0 || !(r.latencyMs.samples > 0)) {
      throw new Error(`load run on ${url} was not clean: ${JSON.stringify(r)}`);
    }
    return { ...r, cpuUsPerRequest: r.serverCpuUs / r.requests };
  };

  if (sizes.httpWarmupSec > 0) {
    await once(gw, sizes.httpWarmupSec);
    await once(bare, sizes.httpWarmupSec);
  }
  /** @type {any[]} */
  const g = [];
  /** @type {any[]} */
  const b = [];
  for (let i = 0; i < sizes.httpPairs; i++) {
    // Alternate which goes first so neither always runs on the warmer (or noisier) slot.
    if (i % 2 === 0) {
      g.push(await once(gw, sizes.httpRunSec));
      b.push(await once(bare, sizes.httpRunSec));
    } else {
      b.push(await once(bare, sizes.httpRunSec));
      g.push(await once(gw, sizes.httpRunSec));
    }
  }
  const rps = (xs) => xs.map((x) => x.rps);
  const p99 = (xs) => xs.map((x) => x.latencyMs.p99);
  const cpu = (xs) => xs.map((x) => x.cpuUsPerRequest);
  const rpsRatio = pairedRatio(rps(g), rps(b));
  const cpuRatio = pairedRatio(cpu(g), cpu(b));
  const p99Ratio = pairedRatio(p99(g), p99(b));
  return {
    id: '1-http',
    title: 'Authorized HTTP throughput (GET /api/whoami, trusted-proxy, 64 proxies, 1,000 users)',
    rows: [
      { metric: `requests/s (${sizes.httpConnections} conns)`, unit: '', gateway: median(rps(g)), baseline: median(rps(b)), ratio: rpsRatio, target: '>= 0.85x', pass: rpsRatio >= 0.85 },
      { metric: 'p99 latency', unit: 'ms', gateway: median(p99(g)), baseline: median(p99(b)), ratio: p99Ratio, target: '<= 1.3x', pass: p99Ratio <= 1.3 },
      { metric: 'server CPU per request', unit: 'us', gateway: median(cpu(g)), baseline: median(cpu(b)), ratio: cpuRatio, target: '', pass: undefined },
    ],
    details: { gateway: g, baseline: b, connections: sizes.httpConnections, runSec: sizes.httpRunSec, pairs: sizes.httpPairs },
    note: 'ratios are medians of back-to-back pairs; latency percentiles from every response time at full resolution (autocannon rounds its own to whole ms); server CPU per request is context (not inflated by other load)',
  };
}
