/**
 * Figure 1: authorized HTTP throughput. GET /api/whoami on the gateway in trusted-proxy mode
 * (64 trustedProxies, 1,000 allowUsers) against a bare node:http server sending the same bytes.
 * Load comes from a separate autocannon process; the servers are warmed up, then timed runs
 * alternate so drift on the shared machine hits all alike. The gateway runs twice: with its
 * journal (the database open, every admission counted by the journal's aggregator), and with the
 * journal off (a state directory whose database cannot be opened), to show what the journal costs.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { proxyHeaders } from '../lib/fixtures.js';
import { timeCommand } from '../lib/proc.js';
import { MAYROS_BIN, getMeasuredNode, startBareHttp, startClient, startGateway, withServerCpu } from '../lib/servers.js';
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
  // The journal off: <stateDir>/mayros.db is a directory, so the database (and the journal) is unavailable.
  const offStateDir = join(ws.dir, 'state-journal-off');
  mkdirSync(join(offStateDir, 'mayros.db'), { recursive: true });
  const gwOff = await ctx.track(startGateway({ configPath: ws.configPath, stateDir: offStateDir }));
  if ((await expectWhoami(gwOff.url, headers, ws.user)) !== body) throw new Error('the gateway without a journal answers another body');
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
    await once(gwOff, sizes.httpWarmupSec);
    await once(bare, sizes.httpWarmupSec);
  }
  /** @type {any[]} */
  const g = [];
  /** @type {any[]} */
  const off = [];
  /** @type {any[]} */
  const b = [];
  const slots = [
    [gw, g],
    [gwOff, off],
    [bare, b],
  ];
  for (let i = 0; i < sizes.httpPairs; i++) {
    // Rotate which goes first so none always runs on the warmer (or noisier) slot.
    for (let k = 0; k < slots.length; k++) {
      const [server, out] = slots[(i + k) % slots.length];
      out.push(await once(server, sizes.httpRunSec));
    }
  }
  // The journal-on gateway did journal: its first admission of the benchmark user is in the file.
  const listed = await timeCommand(getMeasuredNode(), [MAYROS_BIN, 'journal', 'list', '--db', join(ws.stateDir, 'mayros.db'), '--kind', 'auth.admit', '--user', ws.user, '--json'], { env: process.env, timeoutMs: 30_000 });
  if (!(JSON.parse(listed.stdout).entries.length > 0)) throw new Error(`the journal-on gateway recorded no admission: ${listed.stdout.slice(0, 200)}`);
  const rps = (xs) => xs.map((x) => x.rps);
  const p99 = (xs) => xs.map((x) => x.latencyMs.p99);
  const cpu = (xs) => xs.map((x) => x.cpuUsPerRequest);
  const rpsRatio = pairedRatio(rps(g), rps(b));
  const cpuRatio = pairedRatio(cpu(g), cpu(b));
  const p99Ratio = pairedRatio(p99(g), p99(b));
  const onOffRps = pairedRatio(rps(g), rps(off));
  const onOffCpu = pairedRatio(cpu(g), cpu(off));
  return {
    id: '1-http',
    title: 'Authorized HTTP throughput (GET /api/whoami, trusted-proxy, 64 proxies, 1,000 users)',
    rows: [
      { metric: `requests/s (${sizes.httpConnections} conns)`, unit: '', gateway: median(rps(g)), baseline: median(rps(b)), ratio: rpsRatio, target: '>= 0.85x', pass: rpsRatio >= 0.85 },
      { metric: 'p99 latency', unit: 'ms', gateway: median(p99(g)), baseline: median(p99(b)), ratio: p99Ratio, target: '<= 1.3x', pass: p99Ratio <= 1.3 },
      { metric: 'server CPU per request', unit: 'us', gateway: median(cpu(g)), baseline: median(cpu(b)), ratio: cpuRatio, target: '', pass: undefined },
      { metric: 'requests/s, journal on / journal off', unit: '', gateway: median(rps(g)), baseline: median(rps(off)), ratio: onOffRps, target: '>= 0.95x', pass: onOffRps >= 0.95 },
      { metric: 'server CPU per request, journal on / off', unit: 'us', gateway: median(cpu(g)), baseline: median(cpu(off)), ratio: onOffCpu, target: '', pass: undefined },
    ],
    details: { gateway: g, journalOff: off, baseline: b, connections: sizes.httpConnections, runSec: sizes.httpRunSec, pairs: sizes.httpPairs },
    note: 'ratios are medians of back-to-back runs (gateway with its journal, gateway with the journal off, bare baseline, in rotating order); latency percentiles from every response time at full resolution (autocannon rounds its own to whole ms); server CPU per request is context (not inflated by other load)',
  };
}
