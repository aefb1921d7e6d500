/**
 * Faults around the gateway: a proxy process killed with connections through it, SIGTERM in the
 * middle of traffic, and SIGHUP reloads of the real CLI (seen through `mayros gateway status`).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Agent, configText, httpGet, rawConnect, startTestGateway, waitFor, within, wsClient, type TestGateway } from './helpers.js';
import { runCli, spawnGateway, spawnTcpProxy, stopAllChildren, waitForOutput } from './processes.js';

let t: TestGateway | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await stopAllChildren();
  await t?.stop();
  t = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'mayros-fault-'));
  dirs.push(d);
  return d;
}

describe('a proxy killed mid-connection', () => {
  it('leaves the gateway healthy, with no session left behind', async () => {
    t = await startTestGateway({ trustedProxies: ['127.0.0.1'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-user' } } });
    const proxy = await spawnTcpProxy(t.port);
    const viaProxy = new (await import('ws')).default(`ws://127.0.0.1:${proxy.port}/`, { headers: { 'x-user': 'alice' } });
    viaProxy.on('error', () => undefined);
    const hello = new Promise<string>((resolve) => viaProxy.on('message', (d) => resolve(String(d))));
    viaProxy.on('open', () => viaProxy.send(JSON.stringify({ type: 'req', id: 'c', method: 'connect', params: { protocol: 1 } })));
    expect(JSON.parse(await within(hello, 5000, 'hello through the proxy'))).toMatchObject({ ok: true, payload: { identity: { user: 'alice' } } });
    // A second client is halfway through its upgrade request when the proxy dies.
    const half = await rawConnect(proxy.port);
    half.on('error', () => undefined);
    half.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n');
    await waitFor(() => t!.gw.ws.connectedCount === 1, 2000, 'the proxied session');

    const closed = new Promise<number>((resolve) => viaProxy.on('close', (code) => resolve(code)));
    process.kill(proxy.pid, 'SIGKILL');
    expect(await proxy.exited).toMatchObject({ signal: 'SIGKILL' });
    expect(await within(closed, 3000, 'the client to see its connection drop')).toBe(1006);

    await waitFor(() => t!.gw.ws.sessions.size === 0, 3000, 'the gateway to drop the dead session');
    expect(t.gw.ctx.presence.size).toBe(0);
    expect((await httpGet(t.port, '/healthz')).status).toBe(200);
    const direct = wsClient(t.port, { headers: { 'x-user': 'bob' } });
    expect(await direct.hello).toMatchObject({ ok: true });
    expect(await direct.call('presence.list')).toMatchObject({ payload: { entries: [{ user: 'bob' }] } });
    direct.ws.close();
  });
});

describe('the CLI under signals', () => {
  const token = 'cli-fault-token-0123456789';

  it('drains on SIGTERM during traffic: clients hear shutdown and 1001, the process exits 0', async () => {
    const dir = tempDir();
    const file = join(dir, 'mayros.json');
    writeFileSync(file, configText({ auth: { mode: 'token' } }));
    const gw = await spawnGateway(file, { MAYROS_STATE_DIR: dir, MAYROS_GATEWAY_TOKEN: token });

    const clients = Array.from({ length: 5 }, () => wsClient(gw.port, { auth: { token } }));
    for (const c of clients) expect((await c.hello).ok).toBe(true);

    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const statuses: number[] = [];
    let stop = false;
    const loop = async () => {
      // Bounded: 300 requests per loop at most; ends at the first refused connection.
      for (let i = 0; i < 300 && !stop; i++) {
        try {
          statuses.push((await httpGet(gw.port, '/api/whoami', { headers: { authorization: `Bearer ${token}` }, agent })).status);
        } catch {
          return;
        }
      }
    };
    const loops = Array.from({ length: 4 }, loop);
    await waitFor(() => statuses.length >= 40, 5000, 'traffic to flow');

    process.kill(gw.pid, 'SIGTERM');
    const exit = await within(gw.exited, 8000, 'the gateway to exit');
    stop = true;
    await Promise.all(loops);
    agent.destroy();

    expect(exit).toEqual({ code: 0, signal: null });
    for (const c of clients) {
      expect(await within(c.closed, 3000, 'a client close')).toMatchObject({ code: 1001, reason: 'gateway_shutdown' });
      expect(c.events.some((e) => e.event === 'shutdown')).toBe(true);
    }
    // Every answer the gateway gave during the drain was a real one.
    expect(statuses.length).toBeGreaterThanOrEqual(40);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(gw.stderr()).toContain('"signal":"SIGTERM"');
  });

  it('reloads on SIGHUP, and `mayros gateway status` shows the generation in force', async () => {
    const dir = tempDir();
    const file = join(dir, 'mayros.json');
    writeFileSync(file, configText({ auth: { mode: 'token' } }));
    const env = { MAYROS_STATE_DIR: dir, MAYROS_GATEWAY_TOKEN: token };
    const gw = await spawnGateway(file, env, ['--no-watch']);
    const status = (json: boolean) => runCli(['gateway', 'status', '--url', `http://127.0.0.1:${gw.port}`, ...(json ? ['--json'] : [])], env);

    const before = await status(false);
    expect(before.code).toBe(0);
    expect(before.stdout).toMatch(/config generation: 1 \(in force since /);

    writeFileSync(file, configText({ auth: { mode: 'token' }, controlUi: { allowedOrigins: ['https://console.example.com'] } }));
    await new Promise((r) => setTimeout(r, 300));
    expect(JSON.parse((await status(true)).stdout)).toMatchObject({ status: { config: { generation: 1 } } });

    process.kill(gw.pid, 'SIGHUP');
    await waitForOutput(gw, /"event":"config_reloaded","trigger":"SIGHUP","generation":2/);
    const after = await status(false);
    expect(after.stdout).toMatch(/config generation: 2 /);

    writeFileSync(file, '{ gateway: { port: 0, auth: { mode: "token", tokn: "x" } } }');
    process.kill(gw.pid, 'SIGHUP');
    await waitForOutput(gw, /"event":"config_reload_failed"/);
    expect(gw.stderr()).toContain('did you mean \\"token\\"?');
    expect(JSON.parse((await status(true)).stdout)).toMatchObject({ reachable: true, status: { config: { generation: 2 } } });
    process.kill(gw.pid, 'SIGTERM');
    expect(await within(gw.exited, 8000, 'the gateway to exit')).toEqual({ code: 0, signal: null });
  });
});
