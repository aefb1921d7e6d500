/**
 * Faults around the gateway: a proxy process killed with connections through it, SIGTERM in the
 * middle of traffic, and SIGHUP reloads of the real CLI (seen through `mayros gateway status`).
 */
import { writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { configText } from '../support/config-file.js';
import { cleanEnv } from '../support/env.js';
import { startTestGateway, type TestGateway } from '../support/gateway-inproc.js';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { httpRequest } from '../support/http-client.js';
import { rawConnect } from '../support/raw-socket.js';
import { startTcpProxyProcess, type TcpProxyProcess } from '../support/tcp-proxy.js';
import { waitFor, within } from '../support/wait.js';
import { wsClient } from '../support/ws-client.js';

let t: TestGateway | undefined;
let gw: GatewayProcess | undefined;
let proxy: TcpProxyProcess | undefined;
afterEach(async () => {
  await proxy?.stop();
  proxy = undefined;
  await gw?.stop();
  gw = undefined;
  await t?.stop();
  t = undefined;
});

/** The CLI's config for these suites: token mode, the token from the environment (no --port: the file says 0). */
const TOKEN_CONFIG = { gateway: { port: 0, auth: { mode: 'token' } } };

describe('a proxy killed mid-connection', () => {
  it('leaves the gateway healthy, with no session left behind', async () => {
    t = await startTestGateway({ trustedProxies: ['127.0.0.1'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-user' } } });
    proxy = await startTcpProxyProcess(t.port);
    const viaProxy = wsClient(proxy.port, { headers: { 'x-user': 'alice' } });
    expect(await within(viaProxy.reply, 5000, 'hello through the proxy')).toMatchObject({ ok: true, payload: { identity: { user: 'alice' } } });
    // A second client is halfway through its upgrade request when the proxy dies.
    const half = await rawConnect(proxy.port);
    half.on('error', () => undefined);
    half.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n');
    await waitFor(() => t!.gw.ws.connectedCount === 1, 5000, 'the proxied session');

    const closed = viaProxy.closed.then((c) => c.code);
    process.kill(proxy.pid, 'SIGKILL');
    expect(await proxy.exited).toMatchObject({ signal: 'SIGKILL' });
    expect(await within(closed, 3000, 'the client to see its connection drop')).toBe(1006);

    await waitFor(() => t!.gw.ws.sessions.size === 0, 3000, 'the gateway to drop the dead session');
    expect(t.gw.ctx.presence.size).toBe(0);
    expect((await httpRequest(`${t.url}/healthz`)).status).toBe(200);
    const direct = wsClient(t.port, { headers: { 'x-user': 'bob' } });
    expect(await direct.hello).toMatchObject({ ok: true });
    expect(await direct.request('presence.list')).toMatchObject({ payload: { entries: [{ user: 'bob' }] } });
    direct.ws.close();
  });
});

describe('the CLI under signals', () => {
  const token = 'cli-fault-token-0123456789';

  it('drains on SIGTERM during traffic: clients hear shutdown and 1001, the process exits 0', async () => {
    gw = await startGatewayProcess({ config: TOKEN_CONFIG, args: [], env: { MAYROS_GATEWAY_TOKEN: token }, minimalEnv: true });
    const port = gw.port;

    const clients = Array.from({ length: 5 }, () => wsClient(port, { auth: { token } }));
    for (const c of clients) expect((await c.hello).ok).toBe(true);

    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const statuses: number[] = [];
    let stop = false;
    const loop = async () => {
      // Bounded: 300 requests per loop at most; ends at the first refused connection.
      for (let i = 0; i < 300 && !stop; i++) {
        try {
          statuses.push((await httpRequest(`http://127.0.0.1:${port}/api/whoami`, { headers: { authorization: `Bearer ${token}` }, agent })).status);
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
    gw = await startGatewayProcess({ config: TOKEN_CONFIG, args: ['--no-watch'], env: { MAYROS_GATEWAY_TOKEN: token }, minimalEnv: true });
    const { pid, file } = gw;
    const env = cleanEnv({ MAYROS_STATE_DIR: gw.dir, MAYROS_GATEWAY_TOKEN: token }, { minimal: true });
    const status = (json: boolean) => runCli(['gateway', 'status', '--url', `http://127.0.0.1:${gw!.port}`, ...(json ? ['--json'] : [])], env);

    const before = await status(false);
    expect(before.code).toBe(0);
    expect(before.stdout).toMatch(/config generation: 1 \(in force since /);

    writeFileSync(file!, configText({ auth: { mode: 'token' }, controlUi: { allowedOrigins: ['https://console.example.com'] } }));
    await new Promise((r) => setTimeout(r, 300));
    expect(JSON.parse((await status(true)).stdout)).toMatchObject({ status: { config: { generation: 1 } } });

    process.kill(pid, 'SIGHUP');
    await gw.waitForOutput(/"event":"config_reloaded","trigger":"SIGHUP","generation":2/);
    const after = await status(false);
    expect(after.stdout).toMatch(/config generation: 2 /);

    writeFileSync(file!, '{ gateway: { port: 0, auth: { mode: "token", tokn: "x" } } }');
    process.kill(pid, 'SIGHUP');
    await gw.waitForOutput(/"event":"config_reload_failed"/);
    expect(gw.stderr()).toContain('did you mean \\"token\\"?');
    expect(JSON.parse((await status(true)).stdout)).toMatchObject({ reachable: true, status: { config: { generation: 2 } } });
    process.kill(pid, 'SIGTERM');
    expect(await within(gw.exited, 8000, 'the gateway to exit')).toEqual({ code: 0, signal: null });
  });
});
