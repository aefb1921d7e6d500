/**
 * The command line, run as a real process.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, runCommand } from '../support/cli.js';
import { writeConfig } from '../support/config-file.js';
import { cleanEnv } from '../support/env.js';
import { startGatewayProcess } from '../support/gateway-process.js';
import { httpRequest } from '../support/http-client.js';
import { BIN } from '../support/paths.js';
import { makeTempDir } from '../support/tmp.js';
import { wsConnect } from '../support/ws-client.js';

describe('mayros gateway run', () => {
  it('first run on defaults, stdout not a terminal: keeps the token 0600, logs only its path, never prints it; gateway url prints the link', async () => {
    const state = makeTempDir('cli');
    const env = cleanEnv({ MAYROS_STATE_DIR: state });
    const first = await startGatewayProcess({ args: ['--port', '0'], env });
    const lines = first.stdout().trim().split('\n');
    expect(lines).toEqual([expect.stringMatching(/^mayros gateway listening on http:\/\/127\.0\.0\.1:\d+ \(auth: token\)$/)]);
    expect(first.url).toBe(`http://127.0.0.1:${first.port}`);
    const tokenFile = join(state, 'gateway.token');
    const token = readFileSync(tokenFile, 'utf8').trim();
    expect(token.length).toBeGreaterThanOrEqual(43);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    await new Promise((r) => setTimeout(r, 100));
    expect(first.stdout()).not.toContain(token);
    expect(first.stderr()).not.toContain(token);
    expect(first.stderr()).toContain(tokenFile);
    expect(first.stderr()).toContain('run `mayros gateway url` as this user to print it');
    const ok = await httpRequest(`${first.url}/api/whoami`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.json).toEqual({ user: null, method: 'token', groups: [] });

    const url = await runCli(['gateway', 'url', '--url', first.url], env);
    expect(url.code).toBe(0);
    expect(url.stdout).toBe(`${first.url}/#token=${token}\n`);
    expect(url.stderr).toContain('this link carries the gateway token');
    expect((await first.stop()).code).toBe(0);

    const second = await startGatewayProcess({ args: ['--port', '0'], env });
    await new Promise((r) => setTimeout(r, 100));
    expect(second.stdout()).not.toContain(token);
    expect(second.stderr()).not.toContain(token);
    expect(second.stderr()).toContain(tokenFile);
    expect((await second.stop()).code).toBe(0);
  });

  it('a first run that cannot listen (port in use) says so in a sentence and keeps no token; the next run, on a terminal, shows the link', async () => {
    const state = makeTempDir('cli');
    const env = cleanEnv({ MAYROS_STATE_DIR: state });
    const blocker = createNetServer();
    await new Promise<void>((r) => blocker.listen({ port: 0, host: '127.0.0.1', exclusive: true }, r));
    const port = (blocker.address() as { port: number }).port;
    const failed = await runCli(['gateway', 'run', '--port', String(port)], env);
    await new Promise((r) => blocker.close(r));
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`mayros: port ${port} is already in use on 127.0.0.1 (another gateway, or another program, listens there): stop that process, or choose another port with --port <n>`);
    expect(failed.stdout).toBe('');
    expect(existsSync(join(state, 'gateway.token'))).toBe(false);

    // `script` gives the gateway a terminal; `timeout` stops it (SIGTERM) after it has started.
    expect(existsSync('/usr/bin/script'), '/usr/bin/script (util-linux) is needed for this test').toBe(true);
    const tty = await runCommand('/usr/bin/script', ['-qec', `timeout -s TERM 4 ${process.execPath} ${BIN} gateway run --port ${port}`, '/dev/null'], env as Record<string, string>);
    const token = readFileSync(join(state, 'gateway.token'), 'utf8').trim();
    expect(tty.stdout).toContain(`Control UI (token generated, shown once; \`mayros gateway url\` prints it again): http://127.0.0.1:${port}/#token=${token}`);
    // On a terminal the log is human-readable by default (stderr shares the terminal here).
    expect(tty.stdout).toMatch(/INFO.*: .*generated a gateway token and kept it in the state directory/);
    expect(tty.stdout).not.toContain('{"level"');
    expect(tty.stdout.split(token).length - 1).toBe(1);
  });

  it('never prints or logs a configured token, even when a request uses it wrongly', async () => {
    const state = makeTempDir('cli');
    const secret = 'configured-secret-token-value-123';
    const run = await startGatewayProcess({ args: ['--port', '0', '--log-format', 'pretty'], env: { MAYROS_STATE_DIR: state, MAYROS_GATEWAY_TOKEN: secret } });
    await httpRequest(`${run.url}/api/whoami`, { headers: { authorization: `Bearer ${secret}x` }, localAddress: '127.0.0.2' });
    await new Promise((r) => setTimeout(r, 200));
    expect((await run.stop()).code).toBe(0);
    expect(run.stdout() + run.stderr()).not.toContain(secret);
    expect(run.stderr()).toMatch(/WARN: request rejected .*"reason":"token_mismatch".*"peer":"127\.0\.0\.2"/);
  });

  it('honours --config, --bind and MAYROS_GATEWAY_PORT precedence', async () => {
    const dir = makeTempDir('cli');
    const file = writeConfig(dir, { gateway: { port: 1, auth: { mode: 'none' } } });
    const run = await startGatewayProcess({ args: ['--config', file, '--port', '0', '--bind', 'loopback'], env: { MAYROS_STATE_DIR: dir, MAYROS_GATEWAY_PORT: '2' } });
    expect(run.stdout()).toMatch(/\(auth: none\)/);
    expect((await httpRequest(`${run.url}/api/whoami`)).json.method).toBe('none');
    // Mode none warns at startup.
    expect(run.stderr()).toMatch(/"level":"warn".*auth mode \\"none\\": every client that can reach this port is admitted without credentials/);
    expect((await run.stop()).code).toBe(0);
  });

  it('exits 0 on SIGTERM with clients connected', async () => {
    const dir = makeTempDir('cli');
    const run = await startGatewayProcess({ args: ['--port', '0'], env: { MAYROS_STATE_DIR: dir, MAYROS_GATEWAY_TOKEN: 'abcdefghijklmnopqrstuvwxyz' } });
    const { client, reply } = await wsConnect(run.url.replace('http', 'ws') + '/', { auth: { token: 'abcdefghijklmnopqrstuvwxyz' } });
    expect(reply.ok).toBe(true);
    const stopped = run.stop();
    expect((await client.closed).code).toBe(1001);
    expect((await stopped).code).toBe(0);
  });

  it.each([
    ['trusted-proxy without trustedProxies', { gateway: { auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-user' } } } }, 'gateway.trustedProxies'],
    ['trusted-proxy without userHeader', { gateway: { trustedProxies: ['127.0.0.1'], auth: { mode: 'trusted-proxy' } } }, 'gateway.auth.trustedProxy.userHeader'],
    ['loopback bind, no loopback proxy', { gateway: { trustedProxies: ['10.0.0.1'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-user' } } } }, 'could never reach'],
    ['a host name as proxy', { gateway: { trustedProxies: ['127.0.0.1', 'proxy.internal'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-user' } } } }, 'gateway.trustedProxies[1]: "proxy.internal"'],
    ['mode none on lan', { gateway: { bind: 'lan', auth: { mode: 'none' } } }, 'gateway.auth.mode'],
    ['a proxy list that trusts every address', { gateway: { trustedProxies: ['127.0.0.1', '::/0'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-user' } } } }, 'gateway.trustedProxies[1]: "::/0" matches every IPv6 address'],
    ['an empty token', { gateway: { auth: { token: '' } } }, 'gateway.auth.token'],
    ['an unknown key', { gateway: { trustedProxy: [] } }, 'did you mean "trustedProxies"?'],
    ['a wrong type', { gateway: { port: 'eighty' } }, 'gateway.port: expected number'],
  ])('refuses to start: %s', async (_n, config, needle) => {
    const dir = makeTempDir('cli');
    const file = writeConfig(dir, config);
    const r = await runCli(['gateway', 'run', '--config', file, '--port', '0'], cleanEnv({ MAYROS_STATE_DIR: dir }));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(needle);
    expect(r.stderr).toContain('fix:');
    expect(r.stdout).toBe('');
  });

  it.each([
    ['gateway run', ['gateway', 'run', '--port', '0']],
    ['config get', ['config', 'get', 'gateway.port']],
    ['config validate', ['config', 'validate']],
    ['gateway status', ['gateway', 'status']],
    ['auth explain', ['auth', 'explain', '--from', '127.0.0.1']],
  ])('%s: a --config file that does not exist is an error (exit 2), not defaults', async (_name, args) => {
    const dir = makeTempDir('cli');
    const missing = join(dir, 'typo.json');
    const r = await runCli([...args, '--config', missing], cleanEnv({ MAYROS_STATE_DIR: dir }));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--config: ${missing} does not exist`);
    expect(r.stderr).toContain('fix: correct the path');
    expect(r.stdout).toBe('');
  });

  it('MAYROS_CONFIG_PATH naming a missing file is an error too; a missing default file still means defaults', async () => {
    const dir = makeTempDir('cli');
    const missing = join(dir, 'gone.json');
    const r = await runCli(['config', 'validate'], cleanEnv({ MAYROS_STATE_DIR: dir, MAYROS_CONFIG_PATH: missing }));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`MAYROS_CONFIG_PATH: names ${missing}, which does not exist`);
    const defaults = await runCli(['config', 'validate'], cleanEnv({ MAYROS_STATE_DIR: dir }));
    expect(defaults.code).toBe(0);
    expect(defaults.stdout).toContain(`${join(dir, 'mayros.json')} (not found: defaults)`);
  });

  it('rejects a bad --port with a usage error', async () => {
    const r = await runCli(['gateway', 'run', '--port', 'x'], cleanEnv({ MAYROS_STATE_DIR: makeTempDir('cli') }));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/port number/);
  });
});

describe('mayros config', () => {
  it('path follows --config > MAYROS_CONFIG_PATH > state dir', async () => {
    const dir = makeTempDir('cli');
    expect((await runCli(['config', 'path'], cleanEnv({ MAYROS_STATE_DIR: dir }))).stdout.trim()).toBe(join(dir, 'mayros.json'));
    expect((await runCli(['config', 'path'], cleanEnv({ MAYROS_STATE_DIR: dir, MAYROS_CONFIG_PATH: '/etc/m.json' }))).stdout.trim()).toBe('/etc/m.json');
    expect((await runCli(['config', 'path', '--config', '/x/y.json'], cleanEnv({ MAYROS_CONFIG_PATH: '/etc/m.json' }))).stdout.trim()).toBe('/x/y.json');
  });

  it('get shows values with their source and hides secrets', async () => {
    const dir = makeTempDir('cli');
    const file = writeConfig(dir, { gateway: { port: 9999, auth: { token: 'file-secret-abcdef' } } });
    const env = cleanEnv({ MAYROS_STATE_DIR: dir });
    expect((await runCli(['config', 'get', 'gateway.port', '--config', file], env)).stdout.trim()).toBe('9999  (file)');
    expect((await runCli(['config', 'get', 'gateway.bind', '--config', file], env)).stdout.trim()).toBe('loopback  (default)');
    const secret = await runCli(['config', 'get', 'gateway.auth.token', '--config', file], env);
    expect(secret.stdout).toContain('(set, hidden)');
    const all = await runCli(['config', 'get', '--config', file], env);
    expect(JSON.parse(all.stdout).gateway.auth.token).toBe('(set, hidden)');
    expect(all.stdout + secret.stdout).not.toContain('file-secret-abcdef');
    expect((await runCli(['config', 'get', 'gateway.nope', '--config', file], env)).code).toBe(1);
  });

  it('get names each source: file, env, default, generated, and mixed for an object', async () => {
    const dir = makeTempDir('cli');
    const file = writeConfig(dir, { gateway: { port: 9999, trustedProxies: ['127.0.0.1'], auth: { trustedProxy: { userHeader: 'X-User' } } } });
    const env = cleanEnv({ MAYROS_STATE_DIR: dir });
    const get = async (key: string, e = env) => (await runCli(['config', 'get', key, '--config', file], e)).stdout.trim();
    expect(await get('gateway.trustedProxies')).toBe('["127.0.0.1"]  (file)');
    expect(await get('gateway.auth.trustedProxy.userHeader')).toBe('x-user  (file)');
    expect(await get('gateway.auth.trustedProxy')).toMatch(/^\{"userHeader":"x-user",.*\}  \(mixed: file, default\)$/);
    expect(await get('gateway.limits')).toMatch(/  \(default\)$/);
    expect(await get('gateway.port', cleanEnv({ MAYROS_STATE_DIR: dir, MAYROS_GATEWAY_PORT: '7777' }))).toBe('7777  (env)');
    expect(await get('gateway.auth.token')).toBe('(not set)  (default)');
    expect(await get('gateway.auth.token', cleanEnv({ MAYROS_STATE_DIR: dir, MAYROS_GATEWAY_TOKEN: 'env-token-abcdefghijklmnop' }))).toBe('(set, hidden)  (env)');
    // A token the gateway generated into the state directory is the one in force.
    writeFileSync(join(dir, 'gateway.token'), 'generated-token-abcdefghijklmnopqrstuvwxyz0123\n', { mode: 0o600 });
    expect(await get('gateway.auth.token')).toBe('(set, hidden)  (generated)');
    const all = await runCli(['config', 'get', '--config', file], env);
    expect(JSON.parse(all.stdout).gateway.auth.token).toBe('(set, hidden)');
    expect(all.stdout).not.toContain('generated-token');
  });

  it('validate passes a good file and fails a bad one with the field and fix', async () => {
    const dir = makeTempDir('cli');
    const env = cleanEnv({ MAYROS_STATE_DIR: dir });
    const good = writeConfig(dir, '{ gateway: { trustedProxies: ["127.0.0.1"], auth: { mode: "trusted-proxy", trustedProxy: { userHeader: "x-forwarded-user" } } } }', 'good.json5');
    const ok = await runCli(['config', 'validate', '--config', good], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('config ok');
    const bad = writeConfig(dir, '{ gateway: { auth: { mode: "trusted-proxy" } } }', 'bad.json5');
    const r = await runCli(['config', 'validate', '--config', bad], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('gateway.trustedProxies');
    expect(r.stderr).toContain('gateway.auth.trustedProxy.userHeader');
    const everyone = writeConfig(dir, '{ gateway: { trustedProxies: ["0.0.0.0/0"], auth: { mode: "trusted-proxy", trustedProxy: { userHeader: "x-forwarded-user" } } } }', 'everyone.json5');
    const e = await runCli(['config', 'validate', '--config', everyone], env);
    expect(e.code).toBe(2);
    expect(e.stderr).toContain('gateway.trustedProxies[0]: "0.0.0.0/0" matches every IPv4 address');
    expect(e.stderr).toMatch(/fix: remove it and list only the address your proxy connects from/);
  });
});

describe('mayros gateway status', () => {
  it('probes a running gateway and reports it unreachable when it is not', async () => {
    const dir = makeTempDir('cli');
    const env = cleanEnv({ MAYROS_STATE_DIR: dir, MAYROS_GATEWAY_TOKEN: 'status-token-abcdefghijklmnop' });
    const run = await startGatewayProcess({ args: ['--port', '0'], env });
    const r = await runCli(['gateway', 'status', '--url', run.url, '--json'], env);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ reachable: true, whoami: { method: 'token' }, status: { authMode: 'token' } });
    expect((await run.stop()).code).toBe(0);
    const down = await runCli(['gateway', 'status', '--url', run.url], env);
    expect(down.code).toBe(1);
    expect(down.stdout).toContain('NOT reachable');
  });
});

describe('mayros gateway status in trusted-proxy mode', () => {
  it('shows readiness and the config generation without an identity, says what it could not learn and why, and takes -H', async () => {
    const dir = makeTempDir('cli');
    const cfg = (allowUsers: string[]) => ({ gateway: { trustedProxies: ['127.0.0.1'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user', allowUsers } } } });
    const file = writeConfig(dir, cfg([]));
    const env = cleanEnv({ MAYROS_STATE_DIR: dir });
    const run = await startGatewayProcess({ args: ['--config', file, '--port', '0', '--no-watch'], env });
    try {
      const anon = await runCli(['gateway', 'status', '--url', run.url, '--json'], env);
      expect(anon.code).toBe(0);
      const r = JSON.parse(anon.stdout);
      expect(r).toMatchObject({ reachable: true, ready: true, config: { generation: 1 }, refused: { reason: 'trusted_proxy_user_missing', status: 401 } });
      expect(r.whoami).toBeUndefined();
      expect(r.notLearned.map((n: { what: string }) => n.what)).toEqual(['who the gateway takes this client for', expect.stringContaining('the `status` method')]);
      expect(r.notLearned[0].why).toMatch(/trusted-proxy mode: it admits only requests its proxy sends with an identity header, and this probe sent none; pass the headers the proxy sets with -H/);

      const text = (await runCli(['gateway', 'status', '--url', run.url], env)).stdout;
      expect(text).toContain(`gateway ${run.url}: reachable, ready`);
      expect(text).toMatch(/config generation: 1 \(in force since \d{4}-/);
      expect(text).toContain('refused: trusted_proxy_user_missing (HTTP 401): The identity header');
      expect(text).toContain('not learned: who the gateway takes this client for');
      expect(text).not.toContain('{"error"');

      const asUser = await runCli(['gateway', 'status', '--url', run.url, '-H', 'X-Forwarded-User: ops@example.com', '--json'], env);
      expect(JSON.parse(asUser.stdout)).toMatchObject({ whoami: { user: 'ops@example.com', method: 'trusted-proxy' }, status: { authMode: 'trusted-proxy' }, notLearned: [] });

      // A reload shows up anonymously as the next generation.
      writeFileSync(file, JSON.stringify(cfg(['ops@example.com'])));
      process.kill(run.pid, 'SIGHUP');
      let generation = 1;
      for (let i = 0; i < 50 && generation === 1; i++) {
        await new Promise((res) => setTimeout(res, 100));
        generation = JSON.parse((await runCli(['gateway', 'status', '--url', run.url, '--json'], env)).stdout).config.generation;
      }
      expect(generation).toBe(2);
      const refused = JSON.parse((await runCli(['gateway', 'status', '--url', run.url, '-H', 'X-Forwarded-User: eve@example.com', '--json'], env)).stdout);
      expect(refused.refused.reason).toBe('trusted_proxy_user_not_allowed');
      expect(refused.notLearned[0].why).toContain('refused the headers this probe sent (-H)');
    } finally {
      expect((await run.stop()).code).toBe(0);
    }
  });

  it('rejects a malformed -H with exit 2', async () => {
    const r = await runCli(['gateway', 'status', '--url', 'http://127.0.0.1:1', '-H', 'no colon'], cleanEnv({ MAYROS_STATE_DIR: makeTempDir('cli') }));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not "Name: value"');
  });
});

/** Ports fetch() refuses (the Fetch standard's "bad ports") that a gateway may still use. */
const FETCH_BAD_PORTS = [10080, 6666, 6665, 6667, 6668, 6669, 6000];

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createNetServer();
    s.once('error', () => resolve(false));
    s.listen({ port, host: '127.0.0.1', exclusive: true }, () => s.close(() => resolve(true)));
  });
}

describe('probes on a port fetch() refuses', () => {
  it('gateway status and security audit --deep reach a gateway on a "bad port"', async () => {
    let port: number | undefined;
    for (const p of FETCH_BAD_PORTS) if (await canListen(p)) {
      port = p;
      break;
    }
    expect(port, `one of ${FETCH_BAD_PORTS.join(', ')} must be free on 127.0.0.1`).toBeDefined();
    const dir = makeTempDir('cli');
    const env = cleanEnv({ MAYROS_STATE_DIR: dir, MAYROS_GATEWAY_TOKEN: 'bad-port-token-abcdefghijklmnop' });
    const run = await startGatewayProcess({ args: ['--port', String(port)], env });
    try {
      // The premise: fetch() itself refuses this port without connecting.
      const refused = await fetch(`${run.url}/healthz`).then(() => 'fetched', (err: Error & { cause?: Error }) => err.cause?.message ?? err.message);
      expect(refused).toMatch(/bad port/);

      const status = await runCli(['gateway', 'status', '--url', run.url, '--json'], env);
      expect(status.code).toBe(0);
      expect(JSON.parse(status.stdout)).toMatchObject({ reachable: true, whoami: { method: 'token' }, status: { authMode: 'token', port } });

      const audit = await runCli(['security', 'audit', '--deep', '--url', run.url, '--json'], env);
      const ids = JSON.parse(audit.stdout).findings.map((f: { checkId: string }) => f.checkId);
      expect(ids).toContain('gateway.deep_ok');
      expect(ids).not.toContain('gateway.deep_unreachable');
    } finally {
      expect((await run.stop()).code).toBe(0);
    }
  });
});

describe('--help', () => {
  it.each([[[]], [['gateway']], [['gateway', 'run']], [['gateway', 'status']], [['config']], [['config', 'get']], [['config', 'validate']], [['config', 'path']]])('mayros %j --help', async (args) => {
    const r = await runCli([...args, '--help'], cleanEnv());
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: mayros/);
  });
});
