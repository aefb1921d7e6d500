/**
 * GET /metrics on its own listener (gateway.metrics): off by default; when on, never on the
 * gateway port; the exposition parses under a strict grammar, follows the naming conventions, and
 * its values move with auth decisions, sessions and reloads. A listener change waits for a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway-inproc.js';
import { httpRequest } from '../support/http-client.js';
import { conventionProblems, parsePromText, sampleValue } from '../support/prom-text.js';
import { waitFor } from '../support/wait.js';
import { wsConnect } from '../support/ws-client.js';

const config = (extra: Record<string, unknown> = {}) => ({
  trustedProxies: ['127.0.0.1'],
  auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user' } },
  metrics: { enabled: true, listen: '127.0.0.1:0' },
  ...extra,
});
const as = (user: string) => ({ 'x-forwarded-user': user });

let t: TestGateway;
let off: TestGateway;
beforeAll(async () => {
  t = await startTestGateway(config());
  off = await startTestGateway({ auth: { mode: 'none' } });
});
afterAll(async () => {
  await t?.stop();
  await off?.stop();
});

async function scrape() {
  const r = await httpRequest(t.gw.metricsUrl!);
  expect(r.status).toBe(200);
  expect(r.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePromText(r.text);
}

const decisions = (f: ReturnType<typeof parsePromText>, result: string, reason: string) => sampleValue(f, 'mayros_auth_decisions_total', { mode: 'trusted-proxy', result, reason }) ?? 0;

describe('GET /metrics', () => {
  it('is off by default: no listener', () => {
    expect(off.gw.metricsUrl).toBeUndefined();
  });

  it('listens on its own loopback address, never on the gateway port', async () => {
    const u = new URL(t.gw.metricsUrl!);
    expect(u.hostname).toBe('127.0.0.1');
    expect(Number(u.port)).not.toBe(t.port);
    const onGateway = await httpRequest(`${t.url}/metrics`, { headers: as('alice@example.com') });
    expect(onGateway.text).not.toContain('mayros_auth_decisions_total');
    expect((await httpRequest(`${u.origin}/other`)).status).toBe(404);
    expect((await httpRequest(t.gw.metricsUrl!, { method: 'POST' })).status).toBe(405);
  });

  it('parses strictly, follows the naming conventions, and counts auth decisions by mode, result and reason', async () => {
    const before = await scrape();
    expect(conventionProblems(before, 'mayros_')).toEqual([]);
    expect((await httpRequest(`${t.url}/api/status`, { headers: as('alice@example.com') })).status).toBe(200);
    expect((await httpRequest(`${t.url}/api/status`, { localAddress: '127.0.0.2', headers: as('alice@example.com') })).status).toBe(401);
    const after = await scrape();
    expect(decisions(after, 'admitted', '')).toBe(decisions(before, 'admitted', '') + 1);
    expect(decisions(after, 'refused', 'trusted_proxy_untrusted_source')).toBe(decisions(before, 'refused', 'trusted_proxy_untrusted_source') + 1);
  });

  it('counts the journal entries the recorder writes, by kind', async () => {
    const refusals = (f: ReturnType<typeof parsePromText>) => sampleValue(f, 'mayros_journal_entries_total', { kind: 'auth.refuse' }) ?? 0;
    const before = await scrape();
    // A refusal from a new peer and claimed user is the first of its kind in the window: written at once.
    expect((await httpRequest(`${t.url}/api/status`, { localAddress: '127.0.0.3', headers: as('journal-metrics@example.com') })).status).toBe(401);
    expect(refusals(await scrape())).toBe(refusals(before) + 1);
  });

  it('reports the sessions open now', async () => {
    expect(sampleValue(await scrape(), 'mayros_sessions_open')).toBe(0);
    const { client } = await wsConnect(t.wsUrl, { headers: as('alice@example.com') });
    try {
      expect(sampleValue(await scrape(), 'mayros_sessions_open')).toBe(1);
    } finally {
      client.close();
    }
    await waitFor(() => t.gw.ctx.presence.size === 0, 3000, 'session gone');
    expect(sampleValue(await scrape(), 'mayros_sessions_open')).toBe(0);
  });

  it('counts reloads by result; a new listen address waits for a restart and the running listener keeps serving', async () => {
    const reloads = (f: ReturnType<typeof parsePromText>, result: string) => sampleValue(f, 'mayros_config_reloads_total', { result }) ?? 0;
    const before = await scrape();
    const url = t.gw.metricsUrl!;
    const moved = await t.rewrite(config({ allowedHosts: ['gw.example.com'], metrics: { enabled: true, listen: '127.0.0.3:0' } }));
    expect(moved).toMatchObject({ status: 'applied', restartRequired: ['gateway.metrics.listen'] });
    expect(await t.rewrite(config({ metrics: { enabled: true, listen: 'localhost:9464' } }))).toMatchObject({ status: 'rejected' });
    const after = await scrape();
    expect(reloads(after, 'applied')).toBe(reloads(before, 'applied') + 1);
    expect(reloads(after, 'rejected')).toBe(reloads(before, 'rejected') + 1);
    expect(t.gw.metricsUrl).toBe(url);
    await t.rewrite(config());
  });
});
