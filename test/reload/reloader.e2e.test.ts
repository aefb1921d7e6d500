/**
 * Live config reload against a real gateway on loopback: valid changes apply, invalid ones leave
 * the old rules in force, open sessions are re-checked and refused ones closed with the reason.
 */
import { mkdirSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { configText, replaceFile } from '../support/config-file.js';
import { startTestGateway, type TestGateway } from '../support/gateway-inproc.js';
import { httpRequest } from '../support/http-client.js';
import { sleep, waitFor, within } from '../support/wait.js';
import { wsClient } from '../support/ws-client.js';

const proxyConfig = (over: Record<string, unknown> = {}, tp: Record<string, unknown> = {}) => ({
  trustedProxies: ['127.0.0.1'],
  auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-user', allowUsers: ['alice', 'bob'], ...tp } },
  ...over,
});

let t: TestGateway | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

const whoami = (user: string, localAddress = '127.0.0.1') => httpRequest(`${t!.url}/api/whoami`, { headers: { 'x-user': user }, localAddress });

describe('reload', () => {
  it('applies a valid change: the next request and the status method see the new generation', async () => {
    t = await startTestGateway(proxyConfig());
    expect((await whoami('alice')).status).toBe(200);
    const viewer = wsClient(t.port, { headers: { 'x-user': 'bob' } });
    expect((await viewer.hello).ok).toBe(true);

    const out = await t.rewrite(proxyConfig({}, { allowUsers: ['bob', 'carol'] }));
    expect(out).toMatchObject({ status: 'applied', generation: 2, changed: ['gateway.auth.trustedProxy.allowUsers'], restartRequired: [] });

    const alice = await whoami('alice');
    expect(alice.status).toBe(403);
    expect(alice.json).toMatchObject({ error: { reason: 'trusted_proxy_user_not_allowed' } });
    expect((await whoami('carol')).status).toBe(200);
    const status = await viewer.request('status');
    expect(status).toMatchObject({ ok: true, payload: { config: { generation: 2, pendingRestart: [] } } });
    expect(t.logs.some((l) => l.event === 'config_reloaded' && l.generation === 2)).toBe(true);
  });

  it('reports an identical file as unchanged without a new generation', async () => {
    t = await startTestGateway(proxyConfig());
    expect(await t.rewrite(proxyConfig())).toMatchObject({ status: 'unchanged', generation: 1 });
    expect(t.gw.ctx.generation.n).toBe(1);
  });

  it.each([
    ['an unknown key', proxyConfig({ trustedProxys: ['127.0.0.1'] }), 'gateway.trustedProxys'],
    ['a wrong type', proxyConfig({}, { allowUsers: 'alice' }), 'gateway.auth.trustedProxy.allowUsers'],
    ['a startup-validation failure', proxyConfig({ trustedProxies: [] }), 'gateway.trustedProxies'],
    ['a bad CIDR', proxyConfig({ trustedProxies: ['127.0.0.1', 'proxy.local'] }), 'gateway.trustedProxies[1]'],
    ['a proxy entry that trusts every address', proxyConfig({ trustedProxies: ['127.0.0.1', '0.0.0.0/0'] }), 'gateway.trustedProxies[1]'],
    ['proxy entries that together trust every address', proxyConfig({ trustedProxies: ['0.0.0.0/1', '128.0.0.0/1'] }), 'gateway.trustedProxies'],
  ])('rejects %s and keeps the old rules in force', async (_name, bad, path) => {
    t = await startTestGateway(proxyConfig());
    const session = wsClient(t.port, { headers: { 'x-user': 'alice' } });
    expect((await session.hello).ok).toBe(true);

    const out = await t.rewrite(bad);
    expect(out.status).toBe('rejected');
    if (out.status !== 'rejected') return;
    expect(out.error.issues.map((i) => i.path)).toContain(path);
    expect(out.error.issues.every((i) => i.fix)).toBe(true);
    expect(t.gw.ctx.generation.n).toBe(1);
    const line = t.logs.find((l) => l.event === 'config_reload_failed');
    expect(line).toMatchObject({ generation: 1, issues: expect.arrayContaining([expect.objectContaining({ path })]) });

    expect((await whoami('alice')).status).toBe(200);
    expect((await whoami('mallory')).status).toBe(403);
    // The old proxy list is in force: an address it does not list still names nobody.
    expect((await whoami('alice', '127.0.0.2')).json).toMatchObject({ error: { reason: 'trusted_proxy_untrusted_source' } });
    expect(await session.request('whoami')).toMatchObject({ ok: true, payload: { user: 'alice' } });
  });

  it('closes a removed user\'s open socket with 1008 when the watched file changes, and leaves the other user\'s open', async () => {
    t = await startTestGateway(proxyConfig(), { watchConfig: true, watchDebounceMs: 50 });
    const alice = wsClient(t.port, { headers: { 'x-user': 'alice' } });
    const bob = wsClient(t.port, { headers: { 'x-user': 'bob' } });
    expect((await alice.hello).ok).toBe(true);
    expect((await bob.hello).ok).toBe(true);

    replaceFile(t.file, configText(proxyConfig({}, { allowUsers: ['bob'] })));
    const closed = await within(alice.closed, 3000, 'alice to close');
    expect(closed).toMatchObject({ code: 1008, reason: 'trusted_proxy_user_not_allowed' });
    // Closed by the reload the watcher started (not by anything later): how soon after the write
    // is figure 8 of the benchmark, not a timed test.
    expect(t.logs.filter((l) => l.event === 'config_reloaded')).toMatchObject([{ trigger: 'file', generation: 2, sessionsClosed: 1 }]);

    await sleep(200);
    expect(bob.ws.readyState).toBe(bob.ws.OPEN);
    expect(await bob.request('whoami')).toMatchObject({ ok: true, payload: { user: 'bob' } });
    expect(t.logs.find((l) => l.event === 'session_revoked')).toMatchObject({ user: 'alice', reason: 'trusted_proxy_user_not_allowed', generation: 2 });
    bob.ws.close();
  });

  it('closes sessions that came from a proxy address removed from trustedProxies', async () => {
    t = await startTestGateway(proxyConfig({ trustedProxies: ['127.0.0.1', '127.0.0.3'] }));
    const viaOld = wsClient(t.port, { headers: { 'x-user': 'alice' }, localAddress: '127.0.0.3' });
    const viaKept = wsClient(t.port, { headers: { 'x-user': 'alice' }, localAddress: '127.0.0.1' });
    expect((await viaOld.hello).ok).toBe(true);
    expect((await viaKept.hello).ok).toBe(true);

    const out = await t.rewrite(proxyConfig({ trustedProxies: ['127.0.0.1'] }));
    expect(out).toMatchObject({ status: 'applied', recheck: { checked: 2, closed: 1, byReason: { trusted_proxy_untrusted_source: 1 } } });
    expect(await within(viaOld.closed, 3000, 'viaOld to close')).toMatchObject({ code: 1008, reason: 'trusted_proxy_untrusted_source' });
    expect(await viaKept.request('whoami')).toMatchObject({ ok: true });
    expect((await whoami('alice', '127.0.0.3')).json).toMatchObject({ error: { reason: 'trusted_proxy_untrusted_source' } });
  });

  it('re-checks token sessions: a rotated token closes them, a mode switch closes them', async () => {
    t = await startTestGateway({ auth: { mode: 'token', token: 'first-token-0123456789' } });
    const a = wsClient(t.port, { auth: { token: 'first-token-0123456789' } });
    expect((await a.hello).ok).toBe(true);
    await t.rewrite({ auth: { mode: 'token', token: 'second-token-0123456789' } });
    expect(await within(a.closed, 3000, 'a to close')).toMatchObject({ code: 1008, reason: 'token_mismatch' });

    const b = wsClient(t.port, { auth: { token: 'second-token-0123456789' } });
    expect((await b.hello).ok).toBe(true);
    await t.rewrite(proxyConfig());
    expect(await within(b.closed, 3000, 'b to close')).toMatchObject({ code: 1008, reason: 'trusted_proxy_user_missing' });
    // The session log never carries the secret.
    expect(JSON.stringify(t.logs)).not.toContain('token-0123456789');
  });

  it('applies the rest of a change to port/bind and reports those keys as waiting for a restart', async () => {
    t = await startTestGateway(proxyConfig());
    const file = proxyConfig({}, { allowUsers: ['bob'] });
    const out = await t.rewrite({ ...file, port: 1 });
    expect(out).toMatchObject({ status: 'applied', generation: 2, restartRequired: ['gateway.port'] });
    expect((await whoami('alice')).status).toBe(403);
    expect(t.gw.ctx.generation.resolved.config.gateway.port).toBe(0);
    const s = wsClient(t.port, { headers: { 'x-user': 'bob' } });
    expect((await s.hello).ok).toBe(true);
    expect(await s.request('status')).toMatchObject({ payload: { config: { generation: 2, pendingRestart: ['gateway.port'] } } });
  });

  it('refuses the whole reload when the file is only valid with a bind the gateway is not listening on', async () => {
    t = await startTestGateway(proxyConfig());
    const out = await t.rewrite(proxyConfig({ bind: 'lan', trustedProxies: ['10.0.0.1'] }));
    expect(out.status).toBe('rejected');
    if (out.status !== 'rejected') return;
    expect(out.error.issues[0]).toMatchObject({ path: 'gateway.trustedProxies' });
    expect(out.error.issues[0]!.message).toContain('gateway.bind');
    expect((await whoami('alice')).status).toBe(200);
  });

  it('keeps the failure limiter across a reload while rateLimit is unchanged, and starts afresh when it changes', async () => {
    const token = 'limiter-token-0123456789';
    const cfg = (maxAttempts: number, origins: string[] = []) => ({ auth: { mode: 'token', token, rateLimit: { maxAttempts, exemptLoopback: false } }, controlUi: { allowedOrigins: origins } });
    t = await startTestGateway(cfg(2));
    const get = (tok: string) => httpRequest(`${t!.url}/api/whoami`, { headers: { authorization: `Bearer ${tok}` } });
    expect((await get('wrong')).status).toBe(401);
    expect((await get('wrong')).status).toBe(401);
    expect((await get(token)).status).toBe(429);

    expect(await t.rewrite(cfg(2, ['https://console.example.com']))).toMatchObject({ status: 'applied' });
    expect((await get(token)).status).toBe(429);

    expect(await t.rewrite(cfg(3, ['https://console.example.com']))).toMatchObject({ status: 'applied' });
    expect((await get(token)).status).toBe(200);
  });

  it('keeps the old config when the file is deleted, replaced by a directory, or left as a dangling symlink', async () => {
    // Running as root, chmod 000 does not stop reads; a directory or a dangling symlink in the
    // file's place makes it unreadable for any user.
    t = await startTestGateway(proxyConfig(), { watchConfig: true, watchDebounceMs: 50 });
    const failures = () => t!.logs.filter((l) => l.event === 'config_reload_failed');

    unlinkSync(t.file);
    await waitFor(() => failures().length === 1, 3000, 'an error for the deleted file');
    expect(failures()[0]).toMatchObject({ trigger: 'file', issues: [{ path: '', message: expect.stringContaining('gone') }] });
    expect((await whoami('alice')).status).toBe(200);

    mkdirSync(t.file);
    await waitFor(() => failures().length === 2, 3000, 'an error for the directory');
    expect(failures()[1]).toMatchObject({ issues: [{ message: expect.stringContaining('EISDIR') }] });
    expect((await whoami('alice')).status).toBe(200);

    rmSync(t.file, { recursive: true });
    symlinkSync(`${t.file}.nowhere`, t.file);
    await waitFor(() => failures().length === 3, 3000, 'an error for the dangling symlink');
    expect((await whoami('alice')).status).toBe(200);
    expect((await whoami('mallory')).status).toBe(403);
    expect(t.gw.ctx.generation.n).toBe(1);

    unlinkSync(t.file);
    replaceFile(t.file, configText(proxyConfig({}, { allowUsers: ['bob'] })));
    await waitFor(() => t!.gw.ctx.generation.n === 2, 3000, 'the restored file to apply');
    expect((await whoami('alice')).status).toBe(403);
  });
});

describe('session age', () => {
  it('closes a proxy-admitted session with 4001 session_expired after sessionMaxAgeSec', async () => {
    t = await startTestGateway(proxyConfig({ auth: { mode: 'trusted-proxy', sessionMaxAgeSec: 1, trustedProxy: { userHeader: 'x-user' } } }));
    const s = wsClient(t.port, { headers: { 'x-user': 'alice' } });
    expect((await s.hello).ok).toBe(true);
    const opened = Date.now();
    const closed = await within(s.closed, 3000, 's to close');
    expect(closed).toMatchObject({ code: 4001, reason: 'session_expired' });
    expect(s.closedAt()! - opened).toBeGreaterThanOrEqual(900);
    expect(s.closedAt()! - opened).toBeLessThan(2500);
  });

  it('applies a shortened sessionMaxAgeSec on reload to sessions already open', async () => {
    t = await startTestGateway(proxyConfig({ auth: { mode: 'trusted-proxy', sessionMaxAgeSec: 0, trustedProxy: { userHeader: 'x-user' } } }));
    const s = wsClient(t.port, { headers: { 'x-user': 'alice' } });
    expect((await s.hello).ok).toBe(true);
    await sleep(1100);
    expect(s.ws.readyState).toBe(s.ws.OPEN);
    await t.rewrite(proxyConfig({ auth: { mode: 'trusted-proxy', sessionMaxAgeSec: 1, trustedProxy: { userHeader: 'x-user' } } }));
    expect(await within(s.closed, 3000, 's to close')).toMatchObject({ code: 4001, reason: 'session_expired' });
  });

  it('does not expire token sessions', async () => {
    t = await startTestGateway({ auth: { mode: 'token', token: 'age-token-0123456789', sessionMaxAgeSec: 1 } });
    const s = wsClient(t.port, { auth: { token: 'age-token-0123456789' } });
    expect((await s.hello).ok).toBe(true);
    await sleep(1500);
    expect(s.ws.readyState).toBe(s.ws.OPEN);
    expect(await s.request('health')).toMatchObject({ ok: true });
  });
});
