/**
 * Figure 1: authorized HTTP throughput. GET /api/whoami on the gateway in trusted-proxy mode
 * (64 trustedProxies, 1,000 allowUsers) against a bare node:http server sending the same bytes.
 * Load comes from a separate autocannon process; both servers are warmed up, then timed runs
 * alternate gateway and baseline so drift on the shared machine hits both alike.
 *
 * The same figure over the other ways a proxy reaches the gateway (issue 17), each against a bare
 * server on the same transport: the gateway's Unix socket (bind "none") against node:http on a
 * socket, and mutual TLS (HTTPS, the proxy's client certificate required and checked, with the
 * address list too) against node:https asking for a client certificate.
 *
 * Over TCP the gateway also runs a second time with its journal off (a state directory whose
 * database cannot be opened), to show what the journal costs: admissions are counted by the
 * journal's aggregator, never written per request.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { proxyHeaders, transportConfig } from '../lib/fixtures.js';
import { makeBenchCertificates } from '../lib/certs.js';
import { timeCommand } from '../lib/proc.js';
import { MAYROS_BIN, getMeasuredNode, startBareHttp, startClient, startGateway, withServerCpu } from '../lib/servers.js';
import { median, pairedRatio } from '../lib/stats.js';

/**
 * How the load reaches a server: the URL to request (for a socket, http://localhost/... with the
 * socket path beside it) and, over TLS, the client certificate to present.
 * @typedef {{ url: string, socketPath?: string, tls?: { cert: string, key: string } }} Target
 */

/**
 * The target for a server's "listening" URL.
 * @param {string} listening
 * @param {{ cert: string, key: string }} [tls]
 * @returns {Target}
 */
function targetOf(listening, tls) {
  if (listening.startsWith('unix:')) return { url: 'http://localhost', socketPath: listening.slice(5) };
  return { url: listening, ...(tls && { tls }) };
}

/**
 * Checks that a server answers the benchmark request with 200 and the expected identity, so the
 * figure never measures a fast stream of refusals. Returns the body text.
 * @param {Target} t
 * @param {Record<string, string>} headers
 * @param {string} user
 */
function expectWhoami(t, headers, user) {
  const u = new URL(`${t.url}/api/whoami`);
  const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
  const tls = t.tls ? { cert: readFileSync(t.tls.cert), key: readFileSync(t.tls.key), rejectUnauthorized: false } : {};
  return new Promise((resolve, reject) => {
    const req = send(u, { headers, agent: false, socketPath: t.socketPath, ...tls, timeout: 5000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        const body = JSON.parse(text);
        if (res.statusCode !== 200 || body.user !== user || body.method !== 'trusted-proxy') reject(new Error(`${t.socketPath ?? t.url}/api/whoami answered ${res.statusCode} ${text}, expected 200 for ${user}`));
        else resolve(text);
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${t.url}: no answer within 5 s`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * @param {import('../run.js').Context} ctx
 * @param {{ id: string, title: string, gateway: (ctx: import('../run.js').Context) => Promise<{ child: any, url: string }>, bare: (body: string) => Promise<{ child: any, url: string }>, tls?: { cert: string, key: string }, journalOff?: boolean }} how
 */
async function measure(ctx, how) {
  const { ws, sizes } = ctx;
  const headers = proxyHeaders(ws.user);
  const gw = await ctx.track(how.gateway(ctx));
  const gwTarget = targetOf(gw.url, how.tls);
  const body = await expectWhoami(gwTarget, headers, ws.user);
  // The journal off: <stateDir>/mayros.db is a directory, so the database (and the journal) is unavailable.
  let gwOff;
  if (how.journalOff) {
    const offStateDir = join(ws.dir, 'state-journal-off');
    mkdirSync(join(offStateDir, 'mayros.db'), { recursive: true });
    gwOff = await ctx.track(startGateway({ configPath: ws.configPath, stateDir: offStateDir }));
    if ((await expectWhoami(targetOf(gwOff.url), headers, ws.user)) !== body) throw new Error('the gateway without a journal answers another body');
  }
  const bare = await ctx.track(how.bare(body));
  const bareTarget = targetOf(bare.url, how.tls);
  const load = ctx.track(startClient('http-load.js'));
  if ((await expectWhoami(bareTarget, headers, ws.user)) !== body) throw new Error('the baseline does not answer the gateway\'s exact body');

  const timeout = (sec) => sec * 1000 + 15_000;
  /** @param {{ child: any }} server @param {Target} t @param {number} durationSec */
  const once = async (server, t, durationSec) => {
    const r = await withServerCpu(server.child, () =>
      load.request('run', { url: `${t.url}/api/whoami`, socketPath: t.socketPath, tls: t.tls, headers, connections: sizes.httpConnections, durationSec }, timeout(durationSec)),
    );
    if (r.requests === 0 || r.non2xx > 0 || r.errors > 0 || r.timeouts > 0 || !(r.latencyMs.samples > 0)) {
      throw new Error(`load run on ${t.socketPath ?? t.url} was not clean: ${JSON.stringify(r)}`);
    }
    return { ...r, cpuUsPerRequest: r.serverCpuUs / r.requests };
  };

  if (sizes.httpWarmupSec > 0) {
    await once(gw, gwTarget, sizes.httpWarmupSec);
    if (gwOff) await once(gwOff, targetOf(gwOff.url), sizes.httpWarmupSec);
    await once(bare, bareTarget, sizes.httpWarmupSec);
  }
  /** @type {any[]} */
  const g = [];
  /** @type {any[]} */
  const off = [];
  /** @type {any[]} */
  const b = [];
  /** @type {[{ child: any }, Target, any[]][]} */
  const slots = [[gw, gwTarget, g], ...(gwOff ? [/** @type {[{ child: any }, Target, any[]]} */ ([gwOff, targetOf(gwOff.url), off])] : []), [bare, bareTarget, b]];
  for (let i = 0; i < sizes.httpPairs; i++) {
    // Rotate which goes first so none always runs on the warmer (or noisier) slot.
    for (let k = 0; k < slots.length; k++) {
      const [server, target, out] = slots[(i + k) % slots.length];
      out.push(await once(server, target, sizes.httpRunSec));
    }
  }
  if (gwOff) {
    // The journal-on gateway did journal: its first admission of the benchmark user is in the file.
    const listed = await timeCommand(getMeasuredNode(), [MAYROS_BIN, 'journal', 'list', '--db', join(ws.stateDir, 'mayros.db'), '--kind', 'auth.admit', '--user', ws.user, '--json'], { env: process.env, timeoutMs: 30_000 });
    if (!(JSON.parse(listed.stdout).entries.length > 0)) throw new Error(`the journal-on gateway recorded no admission: ${listed.stdout.slice(0, 200)}`);
  }
  const rps = (xs) => xs.map((x) => x.rps);
  const p99 = (xs) => xs.map((x) => x.latencyMs.p99);
  const cpu = (xs) => xs.map((x) => x.cpuUsPerRequest);
  const rpsRatio = pairedRatio(rps(g), rps(b));
  const cpuRatio = pairedRatio(cpu(g), cpu(b));
  const p99Ratio = pairedRatio(p99(g), p99(b));
  return {
    id: how.id,
    title: how.title,
    rows: [
      { metric: `requests/s (${sizes.httpConnections} conns)`, unit: '', gateway: median(rps(g)), baseline: median(rps(b)), ratio: rpsRatio, target: '>= 0.85x', pass: rpsRatio >= 0.85 },
      { metric: 'p99 latency', unit: 'ms', gateway: median(p99(g)), baseline: median(p99(b)), ratio: p99Ratio, target: '<= 1.3x', pass: p99Ratio <= 1.3 },
      { metric: 'server CPU per request', unit: 'us', gateway: median(cpu(g)), baseline: median(cpu(b)), ratio: cpuRatio, target: '', pass: undefined },
      ...(gwOff ? journalRows(g, off) : []),
    ],
    details: { gateway: g, ...(gwOff && { journalOff: off }), baseline: b, connections: sizes.httpConnections, runSec: sizes.httpRunSec, pairs: sizes.httpPairs },
    note: 'ratios are medians of back-to-back runs in rotating order (over TCP also the gateway with its journal off); latency percentiles from every response time at full resolution (autocannon rounds its own to whole ms); server CPU per request is context (not inflated by other load)',
  };
}

/** The journal's cost: the gateway with its journal against the same gateway with it off. @param {any[]} g @param {any[]} off */
function journalRows(g, off) {
  const rps = pairedRatio(g.map((x) => x.rps), off.map((x) => x.rps));
  const cpu = pairedRatio(g.map((x) => x.cpuUsPerRequest), off.map((x) => x.cpuUsPerRequest));
  return [
    { metric: 'requests/s, journal on / journal off', unit: '', gateway: median(g.map((x) => x.rps)), baseline: median(off.map((x) => x.rps)), ratio: rps, target: '>= 0.95x', pass: rps >= 0.95 },
    { metric: 'server CPU per request, journal on / off', unit: 'us', gateway: median(g.map((x) => x.cpuUsPerRequest)), baseline: median(off.map((x) => x.cpuUsPerRequest)), ratio: cpu, target: '', pass: undefined },
  ];
}

/** @param {import('../run.js').Context} ctx */
export function run(ctx) {
  return measure(ctx, {
    id: '1-http',
    title: 'Authorized HTTP throughput (GET /api/whoami, trusted-proxy, 64 proxies, 1,000 users)',
    gateway: (c) => startGateway(c.ws),
    bare: (body) => startBareHttp(body),
    journalOff: true,
  });
}

/** Figure 1 over the gateway's Unix socket, against node:http on a Unix socket. @param {import('../run.js').Context} ctx */
export function runUnix(ctx) {
  const gwSocket = join(ctx.ws.dir, 'gateway.sock');
  const bareSocket = join(ctx.ws.dir, 'bare.sock');
  const config = transportConfig(ctx.ws, 'unix', { socketPath: gwSocket });
  return measure(ctx, {
    id: '1u-http-unix',
    title: 'Figure 1 over the Unix socket (bind "none"; baseline: node:http on a Unix socket)',
    gateway: (c) => startGateway(c.ws, config),
    bare: (body) => startBareHttp(body, `unix:${bareSocket}`),
  });
}

/** Figure 1 over mutual TLS, against node:https asking for a client certificate. @param {import('../run.js').Context} ctx */
export function runMtls(ctx) {
  const certs = makeBenchCertificates(ctx.ws.dir);
  const config = transportConfig(ctx.ws, 'mtls', certs);
  return measure(ctx, {
    id: '1t-http-mtls',
    title: 'Figure 1 over mutual TLS (client certificate and address checked; baseline: node:https with requestCert)',
    gateway: (c) => startGateway(c.ws, config),
    bare: (body) => startBareHttp(body, `tls:${certs.serverCert},${certs.serverKey},${certs.clientCa}`),
    tls: { cert: certs.proxyCert, key: certs.proxyKey },
  });
}
