import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { probeGateway } from '../../src/security/probe.js';
import type { Finding } from '../../src/security/findings.js';
import { runCli } from '../support/cli.js';
import { writeConfig } from '../support/config-file.js';
import { cleanEnv } from '../support/env.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';
import { startTestGateway, type TestGateway } from '../support/gateway-inproc.js';
import { httpRequest } from '../support/http-client.js';
import { startHeaderTap, type HeaderTap } from '../support/header-tap.js';
import { startIdentityProxy, type IdentityProxy } from '../support/identity-proxy.js';

const TOKEN = 'deep-probe-token-0123456789abcdef';
/** The gateway under audit runs without the Control UI. */
const NO_UI = { controlUi: { enabled: false } };
const TP = { trustedProxies: ['127.0.0.1'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user' } } };

let running: TestGateway | undefined;
let plain: Server | undefined;
let tap: HeaderTap | undefined;
let idp: IdentityProxy | undefined;
afterEach(async () => {
  await tap?.stop();
  tap = undefined;
  await idp?.stop();
  idp = undefined;
  await running?.stop();
  running = undefined;
  if (plain) await new Promise((r) => plain!.close(r));
  plain = undefined;
});

const ids = (f: Finding[]) => f.map((x) => `${x.checkId}:${x.severity}`);

async function listenPlain(handler: Parameters<typeof createServer>[1]): Promise<string> {
  plain = createServer(handler);
  await new Promise<void>((r) => plain!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(plain.address() as { port: number }).port}`;
}

describe('security audit --deep probe against a real gateway', () => {
  it.each([
    ['token', { auth: { mode: 'token', token: TOKEN } }, 'token_missing'],
    ['password', { auth: { mode: 'password', password: TOKEN } }, 'password_missing'],
    ['trusted-proxy', TP, 'trusted_proxy_user_missing'],
  ] as const)('%s mode: reachable, mode read from the refusal, anonymous requests refused', async (mode, gateway, code) => {
    running = await startTestGateway({ ...gateway, ...NO_UI });
    const f = await probeGateway({ url: running.url, expectedMode: mode });
    expect(ids(f)).toEqual(['gateway.deep_ok:info']);
    expect(f[0]!.detail).toContain(`mode "${mode}"`);
    expect(f[0]!.detail).toContain(`HTTP request was refused with ${code} (HTTP 401)`);
    expect(f[0]!.detail).toContain(`WebSocket connect was refused with ${code} (close 1008)`);
    expect(JSON.stringify(f)).not.toContain(TOKEN);
  });

  it('mode none: the anonymous request is admitted (warn on a loopback bind)', async () => {
    running = await startTestGateway({ auth: { mode: 'none' }, ...NO_UI });
    const f = await probeGateway({ url: running.url, expectedMode: 'none' });
    expect(ids(f)).toEqual(['gateway.deep_unauthenticated_admitted:warn']);
    expect(f[0]!.detail).toContain('gateway.bind "loopback"');
  });

  it('a gateway running another mode than the config is reported', async () => {
    running = await startTestGateway({ ...TP, ...NO_UI });
    const f = await probeGateway({ url: running.url, expectedMode: 'token' });
    expect(ids(f)).toEqual(['gateway.deep_auth_mode_mismatch:warn', 'gateway.deep_ok:info']);
    expect(f[0]!.detail).toContain('config sets gateway.auth.mode "token"');
    expect(f[0]!.detail).toContain('behaves as mode "trusted-proxy"');
  });

  it('nothing listening: a warn finding, not an error', async () => {
    const url = await listenPlain(() => {});
    await new Promise((r) => plain!.close(r));
    plain = undefined;
    const f = await probeGateway({ url, timeoutMs: 2000 });
    expect(ids(f)).toEqual(['gateway.deep_unreachable:warn']);
    expect(f[0]!.detail).toContain('ECONNREFUSED');
  });

  it('something else on the port: /healthz is not the gateway\'s', async () => {
    const url = await listenPlain((_req, res) => res.writeHead(404).end('<html>nope</html>'));
    expect(ids(await probeGateway({ url, timeoutMs: 2000 }))).toEqual(['gateway.deep_unreachable:warn']);
  });

  it('a service that answers /healthz but not like the gateway: the probe is inconclusive', async () => {
    const url = await listenPlain((req, res) => {
      if (req.url === '/healthz') res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      else res.writeHead(500).end('oops');
    });
    const f = await probeGateway({ url, timeoutMs: 2000 });
    expect(ids(f)).toEqual(['gateway.deep_probe_failed:warn']);
    expect(f[0]!.detail).toContain('HTTP 500 without a reason code');
    expect(f[0]!.detail).toContain('upgrade got HTTP 500');
  });
});

describe('/healthz tells a forwarded request whether the gateway trusts its proxy', () => {
  it.each([
    ['a listed proxy', '127.0.0.1', { 'x-forwarded-for': '203.0.113.9' }, 'trusted-proxy'],
    ['an unlisted peer', '127.0.0.2', { 'x-forwarded-for': '203.0.113.9' }, 'untrusted-peer'],
    ['an unlisted peer with Forwarded', '127.0.0.2', { forwarded: 'for=203.0.113.9' }, 'untrusted-peer'],
    ['a direct request', '127.0.0.2', {}, undefined],
    ['a listed peer without forwarding headers', '127.0.0.1', {}, undefined],
  ] as const)('%s', async (_name, localAddress, headers, verdict) => {
    running = await startTestGateway({ ...TP, ...NO_UI });
    const r = await httpRequest(`${running.url}/healthz`, { headers, localAddress });
    expect(r.json).toEqual({ ok: true });
    expect(r.headers['x-mayros-forwarded']).toBe(verdict);
  });
});

describe('security audit --deep through a proxy', () => {
  const PASSWORD = 'deep-probe-password-0123456789';

  it('password mode behind a proxy the gateway does not list: forwarded requests from an unlisted address', async () => {
    running = await startTestGateway({ auth: { mode: 'password', password: PASSWORD }, ...NO_UI });
    // A proxy on this host (connecting from 127.0.0.1) that adds X-Forwarded-For; trustedProxies is empty.
    tap = await startHeaderTap({ upstreamPort: running.gw.port, addHeaders: { 'X-Forwarded-For': '203.0.113.9' } });
    const f = await probeGateway({ url: tap.url, expectedMode: 'password' });
    expect(ids(f)).toEqual(['gateway.deep_forwarded_untrusted:warn', 'gateway.deep_ok:info']);
    expect(f[0]!.detail).toContain('gateway.trustedProxies does not list');
    expect(f[0]!.detail).toContain('lock out everyone behind it');
    expect(f[0]!.remediation).toContain('"127.0.0.1"');
    expect(f[1]!.detail).toContain('through a proxy it does not trust');
    expect(JSON.stringify(f)).not.toContain(PASSWORD);
  });

  it('the same proxy, listed in trustedProxies: no finding about it', async () => {
    running = await startTestGateway({ trustedProxies: ['127.0.0.1'], auth: { mode: 'password', password: PASSWORD }, ...NO_UI });
    tap = await startHeaderTap({ upstreamPort: running.gw.port, addHeaders: { 'X-Forwarded-For': '203.0.113.9' } });
    const f = await probeGateway({ url: tap.url, expectedMode: 'password' });
    expect(ids(f)).toEqual(['gateway.deep_ok:info']);
    expect(f[0]!.detail).toContain('through a proxy it trusts');
  });

  it('a proxy that wants a sign-in for /healthz: reached the proxy, not the gateway, and what to open', async () => {
    running = await startTestGateway({ ...TP, ...NO_UI });
    idp = await startIdentityProxy({ gatewayPort: running.gw.port, users: {} });
    const f = await probeGateway({ url: idp.url, localUrl: 'http://127.0.0.1:18789', timeoutMs: 2000 });
    expect(ids(f)).toEqual(['gateway.deep_proxy_blocks_health:warn']);
    expect(f[0]!.detail).toContain('HTTP 401');
    expect(f[0]!.detail).toContain('came from a proxy in front of it');
    expect(f[0]!.remediation).toContain('/healthz and /readyz');
    expect(f[0]!.remediation).toContain('--url http://127.0.0.1:18789');
  });

  it('a sign-in redirect is named without its query string', async () => {
    const url = await listenPlain((_req, res) => res.writeHead(302, { location: 'https://login.example/oauth2/start?rd=%2Fhealthz&state=s3cr3t', server: 'test-proxy' }).end());
    const f = await probeGateway({ url, timeoutMs: 2000 });
    expect(ids(f)).toEqual(['gateway.deep_proxy_blocks_health:warn']);
    expect(f[0]!.detail).toContain('HTTP 302 to https://login.example/oauth2/start (Server: test-proxy)');
    expect(f[0]!.detail).not.toContain('s3cr3t');
  });

  it('a proxy with /healthz open that stops anonymous requests itself: the gateway is reached, the refusals are the proxy\'s', async () => {
    const url = await listenPlain((req, res) => {
      if (req.url === '/healthz') res.writeHead(200, { 'content-type': 'application/json', 'x-mayros-forwarded': 'trusted-proxy' }).end('{"ok":true}');
      else res.writeHead(302, { location: '/oauth2/sign_in' }).end();
    });
    plain!.on('upgrade', (_req, socket) => socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'));
    const f = await probeGateway({ url, expectedMode: 'trusted-proxy', timeoutMs: 2000 });
    expect(ids(f)).toEqual(['gateway.deep_ok:info']);
    expect(f[0]!.detail).toContain(`HTTP request was stopped by a proxy before the gateway (HTTP 302 to ${url}/oauth2/sign_in, no reason code)`);
    expect(f[0]!.detail).toContain('WebSocket connect was stopped by a proxy before the gateway (HTTP 401, no reason code)');
  });

  it('a proxy whose gateway is down: unreachable, and says a proxy answered', async () => {
    const url = await listenPlain((_req, res) => res.writeHead(502, { server: 'nginx' }).end('<html>502 Bad Gateway</html>'));
    const f = await probeGateway({ url, timeoutMs: 2000 });
    expect(ids(f)).toEqual(['gateway.deep_unreachable:warn']);
    expect(f[0]!.detail).toContain('HTTP 502 (Server: nginx)');
    expect(f[0]!.detail).toContain('a proxy answered');
  });
});

describe('mayros security audit --deep (CLI against a real gateway)', () => {
  const dir = makeTempDir('cli');

  it('probes the URL from the config, and --url overrides it', async () => {
    running = await startTestGateway({ auth: { mode: 'token', token: TOKEN }, ...NO_UI });
    const config = writeConfig(dir, `{ gateway: { port: ${running.gw.port} } }`, 'token.json5');
    const env = cleanEnv({ MAYROS_GATEWAY_TOKEN: TOKEN }, { minimal: true, stateDir: dir });
    try {
      const fromConfig = await runCli(['security', 'audit', '--config', config, '--deep', '--json'], env);
      expect(fromConfig.code).toBe(0);
      const deep = JSON.parse(fromConfig.stdout).findings.filter((f: { checkId: string }) => f.checkId.startsWith('gateway.deep_'));
      expect(deep.map((f: { checkId: string }) => f.checkId)).toEqual(['gateway.deep_ok']);
      expect(deep[0].detail).toContain(running.url);

      const other = writeConfig(dir, '{ gateway: { port: 1, auth: { mode: "password", password: "x" } } }', 'other.json5');
      const viaUrl = await runCli(['security', 'audit', '--config', other, '--url', running.url, '--json', '--fail-on', 'warn'], env);
      const mismatch = JSON.parse(viaUrl.stdout).findings.find((f: { checkId: string }) => f.checkId === 'gateway.deep_auth_mode_mismatch');
      expect(mismatch.detail).toContain('behaves as mode "token"');
      expect(viaUrl.code).toBe(1);
    } finally {
      removeTempDir(dir);
    }
  });
});
