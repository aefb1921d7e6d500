/**
 * Figure 8: revocation latency. A person removed from gateway.auth.trustedProxy.allowUsers loses
 * their open WebSocket (closed 1008 trusted_proxy_user_not_allowed) within a second, whether the
 * config file is edited (the gateway watches it; issue 8) or an admin removes them from the
 * console with `config.patch` (issue 16). `mayros gateway run` with the workspace's trusted-proxy
 * config (64 proxies, 1,000 users) and one admin; a load client in its own process times each
 * revocation from the rename (or from sending the patch) to the victim's close event, while 50
 * other people's sessions stay open (the figure fails if any of them is closed).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLIENT_ADDRESSES, trustedProxyConfig } from '../lib/fixtures.js';
import { startClient, startGateway } from '../lib/servers.js';
import { median, percentile } from '../lib/stats.js';

/** The config watcher's default debounce (src/reload/watch.ts): the file path's floor. */
const WATCH_DEBOUNCE_MS = 200;

/** @param {import('../run.js').Context} ctx */
export async function run(ctx) {
  const { ws, sizes } = ctx;
  // The admin is the first user; victims come from the start of the list, bystanders from its end,
  // so no one is both.
  const admin = ws.users[0];
  const victims = ws.users.slice(1, 1 + Math.min(sizes.revokeRounds * 2, 100));
  const bystanders = ws.users.slice(-sizes.revokeBystanders);
  const config = trustedProxyConfig({ proxies: ws.proxies, users: ws.users });
  config.gateway.authorization = { rules: [{ users: [admin], scopes: ['operator.admin'] }] };
  const configPath = join(ws.dir, 'revoke.json');
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const stateDir = join(ws.dir, 'revoke-state');

  const gw = await ctx.track(startGateway({ configPath, stateDir }));
  const load = ctx.track(startClient('revoke.js'));
  const url = `${gw.url.replace(/^http/, 'ws')}/`;
  const r = await load.request(
    'rounds',
    { url, configPath, config, users: ws.users, admin, victims, bystanders, localAddresses: CLIENT_ADDRESSES, rounds: sizes.revokeRounds },
    // Each round is bounded by the client (10 s to close, 5 s to restore); this is the backstop.
    60_000 + sizes.revokeRounds * 2 * 20_000,
  );

  const n = sizes.revokeRounds;
  const top = n >= 100 ? 'p99' : 'max';
  const topOf = (xs) => (n >= 100 ? percentile(xs, 99) : Math.max(...xs));
  const file = { p50: median(r.file), top: topOf(r.file) };
  const con = { p50: median(r.console), top: topOf(r.console) };
  return {
    id: '8-revoke',
    title: 'Revocation: a user removed from allowUsers, their open session closed 1008',
    rows: [
      { metric: 'config file edited (rename over it) -> victim closed, p50 (baseline: watch debounce)', unit: 'ms', gateway: file.p50, baseline: WATCH_DEBOUNCE_MS, ratio: file.p50 / WATCH_DEBOUNCE_MS, target: '', pass: undefined },
      { metric: `config file edited (rename over it) -> victim closed, ${top} of ${n}`, unit: 'ms', gateway: file.top, baseline: WATCH_DEBOUNCE_MS, ratio: file.top / WATCH_DEBOUNCE_MS, target: '< 1000 ms', pass: file.top < 1000 },
      { metric: 'console config.patch sent -> victim closed, p50', unit: 'ms', gateway: con.p50, baseline: undefined, ratio: undefined, target: '', pass: undefined },
      { metric: `console config.patch sent -> victim closed, ${top} of ${n}`, unit: 'ms', gateway: con.top, baseline: undefined, ratio: undefined, target: '< 1000 ms', pass: con.top < 1000 },
    ],
    details: { fileMs: r.file, consoleMs: r.console, restoreMs: r.restoreMs, sessionsClosed: r.sessionsClosed, bystanders: r.bystanders, bystandersOpen: r.bystandersOpen, sizes: { rounds: n, bystanders: sizes.revokeBystanders, users: ws.users.length, proxies: ws.proxies.length } },
    note: `wall time at the client, ${n} rounds per path, alternating file and console, no warm-up (the first revocation counts); ${top} = the slowest round${n >= 100 ? '' : ' (fewer than 100 rounds)'}; file: temp file renamed over the config, the gateway's watcher debounces ${WATCH_DEBOUNCE_MS} ms (the baseline); console: config.get, then config.patch timed from sending it; every close 1008 trusted_proxy_user_not_allowed; ${r.bystanders} bystander sessions and the admin's stayed open throughout`,
  };
}
