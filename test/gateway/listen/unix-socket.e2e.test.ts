/**
 * The Unix socket listener (src/gateway/listen/unix-socket.ts), with a real gateway: its mode and
 * group, HTTP and WebSocket on it trusted as the proxy's by construction, the TCP side refused,
 * a stale socket replaced, a live one and a non-socket refused, the file removed on close, a path
 * change waiting for a restart, and the client address behind the socket's proxy.
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/errors.js';
import { startTestGateway, type TestGateway } from '../../support/gateway-inproc.js';
import { startGatewayProcess } from '../../support/gateway-process.js';
import { httpRequest } from '../../support/http-client.js';
import { freePort, startProcess } from '../../support/processes.js';
import { makeTempDir, removeTempDir } from '../../support/tmp.js';
import { waitFor } from '../../support/wait.js';
import { wsAttempt, wsUnixUrl } from '../../support/ws-client.js';

const proxyAuth = { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user', allowUsers: ['alice@example.com'] } };
const alice = { 'x-forwarded-user': 'alice@example.com' };

/** A process of its own listening on `path`, as another gateway (or program) would. */
async function otherListener(path: string) {
  const p = startProcess(process.execPath, ['-e', `require('node:net').createServer(c => c.end()).listen(${JSON.stringify(path)}, () => console.log('up'))`], { name: 'other listener' });
  await p.waitForOutput(/up/, 10_000);
  return p;
}

describe('a gateway on a Unix socket (trusted-proxy mode, loopback TCP trusting no address)', () => {
  let dir: string;
  let t: TestGateway;
  let path: string;

  beforeAll(async () => {
    dir = makeTempDir('unix');
    path = join(dir, 'gw.sock');
    t = await startTestGateway({ listen: { unixSocket: { path, mode: '0660', group: 'www-data' } }, auth: proxyAuth });
  });
  afterAll(async () => {
    await t?.stop();
    removeTempDir(dir);
  });

  it('the socket file has the configured mode and group, and nothing of its private directory is left', () => {
    const st = lstatSync(path);
    expect(st.isSocket()).toBe(true);
    expect((st.mode & 0o777).toString(8)).toBe('660');
    expect(st.gid).toBe(Number(/^www-data:[^:]*:(\d+):/m.exec(readFileSync('/etc/group', 'utf8'))![1]));
    expect(readdirSync(dir)).toEqual(['gw.sock']);
    expect(t.gw.urls).toEqual([`http://127.0.0.1:${t.port}`, `http://[::1]:${t.port}`, `unix:${path}`].filter((u) => !u.includes('[::1]') || t.gw.urls.includes(u)));
  });

  it('HTTP on the socket is the proxy\'s: the identity header is believed', async () => {
    const r = await httpRequest('http://localhost/api/whoami', { socketPath: path, headers: alice });
    expect(r.status, r.text).toBe(200);
    expect(r.json).toEqual({ user: 'alice@example.com', method: 'trusted-proxy', groups: [], scopes: ['operator.read', 'operator.write'] });
    const other = await httpRequest('http://localhost/api/whoami', { socketPath: path, headers: { 'x-forwarded-user': 'mallory@example.com' } });
    expect(other.json?.error?.reason).toBe('trusted_proxy_user_not_allowed');
  });

  it('a WebSocket on the socket is admitted the same way', async () => {
    const o = await wsAttempt(wsUnixUrl(path), { headers: alice });
    expect(o, JSON.stringify(o)).toMatchObject({ kind: 'hello', identity: { user: 'alice@example.com', method: 'trusted-proxy' } });
  });

  it('a local process on TCP loopback with a forged identity header is refused (HTTP and WebSocket), from 127.0.0.1 too', async () => {
    for (const localAddress of ['127.0.0.1', '127.0.0.2']) {
      const r = await httpRequest(`${t.url}/api/whoami`, { headers: alice, localAddress });
      expect(r.status, r.text).toBe(401);
      expect(r.json?.error?.reason).toBe('trusted_proxy_untrusted_source');
      const o = await wsAttempt(t.wsUrl, { headers: alice, localAddress });
      expect(o).toMatchObject({ kind: 'closed', code: 1008, reason: 'trusted_proxy_untrusted_source' });
    }
  });

  it('the Host check applies on the socket (a loopback-like listener): a foreign Host is refused', async () => {
    const r = await httpRequest('http://evil.example/api/whoami', { socketPath: path, headers: alice });
    expect(r.json?.error?.reason).toBe('host_not_allowed');
  });

  it('/healthz on the socket says forwarding headers came from a trusted proxy', async () => {
    const r = await httpRequest('http://localhost/healthz', { socketPath: path, headers: { 'x-forwarded-for': '203.0.113.5' } });
    expect(r.headers['x-mayros-forwarded']).toBe('trusted-proxy');
    const tcp = await httpRequest(`${t.url}/healthz`, { headers: { 'x-forwarded-for': '203.0.113.5' } });
    expect(tcp.headers['x-mayros-forwarded']).toBe('untrusted-peer');
  });

  it('a change of the socket waits for a restart; the socket in force keeps serving', async () => {
    const outcome = await t.rewrite({ listen: { unixSocket: { path: join(dir, 'other.sock') } }, auth: proxyAuth });
    expect(outcome).toMatchObject({ status: 'applied', restartRequired: ['gateway.listen.unixSocket'] });
    expect(existsSync(join(dir, 'other.sock'))).toBe(false);
    const r = await httpRequest('http://localhost/api/whoami', { socketPath: path, headers: alice });
    expect(r.status).toBe(200);
  });
});

describe('the socket path: stale, live, not a socket, no directory', () => {
  let dir: string;
  beforeAll(() => {
    dir = makeTempDir('unix-path');
  });
  afterAll(() => removeTempDir(dir));

  const start = (path: string, extra: Record<string, unknown> = {}) => startTestGateway({ bind: 'none', listen: { unixSocket: { path, ...extra } }, auth: proxyAuth });

  it('a socket left by a process that was killed is replaced, and the gateway says so', async () => {
    const path = join(dir, 'stale.sock');
    const crashed = await otherListener(path);
    process.kill(crashed.pid, 'SIGKILL');
    await crashed.exited;
    expect(lstatSync(path).isSocket()).toBe(true);
    const t = await start(path);
    try {
      expect(t.logs.some((l) => l.event === 'unix_socket_stale_replaced' && l.path === path)).toBe(true);
      const r = await httpRequest('http://localhost/api/whoami', { socketPath: path, headers: alice });
      expect(r.status).toBe(200);
    } finally {
      await t.stop();
    }
    // Removed on a clean close.
    expect(existsSync(path)).toBe(false);
  });

  it('a socket another process listens on is never taken over', async () => {
    const path = join(dir, 'live.sock');
    const live = await otherListener(path);
    try {
      const err = await start(path).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).issues[0]).toMatchObject({ path: 'gateway.listen.unixSocket.path', message: `another process is listening on ${path} (another gateway?)` });
      // Still the other process's.
      const answered = await new Promise<boolean>((resolve) => connect({ path }).once('connect', () => resolve(true)).once('error', () => resolve(false)));
      expect(answered).toBe(true);
    } finally {
      await live.stop();
    }
  });

  it('a path that is not a socket is refused and left alone', async () => {
    const path = join(dir, 'file.sock');
    writeFileSync(path, 'precious');
    const err = (await start(path).then(() => undefined, (e: unknown) => e)) as ConfigError;
    expect(err.issues[0]).toMatchObject({ path: 'gateway.listen.unixSocket.path', message: `${path} exists and is not a socket` });
    expect(readFileSync(path, 'utf8')).toBe('precious');
  });

  it('a directory that does not exist, and a group that does not, are refused with the fix', async () => {
    const noDir = (await start(join(dir, 'missing', 'gw.sock')).then(() => undefined, (e: unknown) => e)) as ConfigError;
    expect(noDir.issues[0]).toMatchObject({ path: 'gateway.listen.unixSocket.path', fix: expect.stringContaining('install -d') });
    const noGroup = (await start(join(dir, 'g.sock'), { group: 'no-such-group-mayros' }).then(() => undefined, (e: unknown) => e)) as ConfigError;
    expect(noGroup.issues[0]).toMatchObject({ path: 'gateway.listen.unixSocket.group', message: 'there is no group "no-such-group-mayros" on this host' });
    expect(existsSync(join(dir, 'g.sock'))).toBe(false);
  });

  it('a mode is applied as given (0600: the owner only)', async () => {
    const sub = join(dir, 'private');
    mkdirSync(sub);
    chmodSync(sub, 0o750);
    const path = join(sub, 'gw.sock');
    const t = await start(path, { mode: '0600' });
    try {
      expect((lstatSync(path).mode & 0o777).toString(8)).toBe('600');
    } finally {
      await t.stop();
    }
  });
});

describe('token mode on the socket: the client address behind its proxy', () => {
  let dir: string;
  let t: TestGateway;
  let path: string;
  const token = 'the-gateway-token-for-this-suite-000';

  beforeAll(async () => {
    dir = makeTempDir('unix-token');
    path = join(dir, 'gw.sock');
    t = await startTestGateway({ bind: 'none', listen: { unixSocket: { path } }, auth: { mode: 'token', token, rateLimit: { maxAttempts: 2, lockoutMs: 60_000 } } });
  });
  afterAll(async () => {
    await t?.stop();
    removeTempDir(dir);
  });

  const guess = (xff?: string) => httpRequest('http://localhost/api/whoami', { socketPath: path, headers: { authorization: 'Bearer wrong', ...(xff && { 'x-forwarded-for': xff }) } });

  it('X-Forwarded-For from the socket is believed: one client\'s wrong guesses lock out that client only', async () => {
    expect((await guess('203.0.113.5')).status).toBe(401);
    expect((await guess('203.0.113.5')).status).toBe(401);
    expect((await guess('203.0.113.5')).json?.error?.reason).toBe('rate_limited');
    expect((await guess('203.0.113.6')).json?.error?.reason).toBe('token_mismatch');
    const logged = t.logs.filter((l) => l.event === 'auth_rejected' && l.peer === 'unix');
    expect(logged.map((l) => l.client)).toEqual(expect.arrayContaining(['203.0.113.5', '203.0.113.6']));
  });

  it('without X-Forwarded-For, every request on the socket shares one count ("unix"), never exempt as loopback', async () => {
    await guess();
    await guess();
    expect((await guess()).json?.error?.reason).toBe('rate_limited');
    const ok = await httpRequest('http://localhost/api/whoami', { socketPath: path, headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': '198.51.100.1' } });
    expect(ok.status, ok.text).toBe(200);
  });
});

describe('bind "none": no TCP listener at all (the CLI)', () => {
  it('a local process on TCP loopback cannot even connect; the proxy\'s socket works; the file goes on SIGTERM', async () => {
    const dir = makeTempDir('unix-cli');
    const path = join(dir, 'gw.sock');
    const port = await freePort();
    const gw = await startGatewayProcess({ config: { gateway: { bind: 'none', port, listen: { unixSocket: { path } }, auth: proxyAuth } }, args: [] });
    try {
      expect(gw.url).toBe(`unix:${path}`);
      const refused = await httpRequest(`http://127.0.0.1:${port}/api/whoami`, { headers: alice }).then(() => 'answered', (e: NodeJS.ErrnoException) => e.code);
      expect(refused).toBe('ECONNREFUSED');
      const r = await httpRequest('http://localhost/api/whoami', { socketPath: path, headers: alice });
      expect(r.json).toMatchObject({ user: 'alice@example.com' });
    } finally {
      await gw.stop();
    }
    await waitFor(() => !existsSync(path), 3000, 'the socket file to be removed');
    removeTempDir(dir);
  });
});
