/**
 * `mayros gateway run`, run as a real process.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
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
    // The token-file line comes after the "listening" line (on another pipe): wait for it.
    await first.waitForOutput(/run `mayros gateway url` as this user to print it/);
    expect(first.stdout()).not.toContain(token);
    expect(first.stderr()).not.toContain(token);
    expect(first.stderr()).toContain(tokenFile);
    expect(first.stderr()).toContain('run `mayros gateway url` as this user to print it');
    const ok = await httpRequest(`${first.url}/api/whoami`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.json).toEqual({ user: null, method: 'token', groups: [], scopes: ['operator.admin', 'operator.read', 'operator.write'] });

    const url = await runCli(['gateway', 'url', '--url', first.url], env);
    expect(url.code).toBe(0);
    expect(url.stdout).toBe(`${first.url}/#token=${token}\n`);
    expect(url.stderr).toContain('this link carries the gateway token');
    expect((await first.stop()).code).toBe(0);
    expect(first.stdout() + first.stderr()).not.toContain(token);

    const second = await startGatewayProcess({ args: ['--port', '0'], env });
    await second.waitForOutput(/using the gateway token kept in the state directory/);
    expect(second.stdout()).not.toContain(token);
    expect(second.stderr()).not.toContain(token);
    expect(second.stderr()).toContain(tokenFile);
    expect((await second.stop()).code).toBe(0);
    expect(second.stdout() + second.stderr()).not.toContain(token);
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

  it('a SIGTERM sent the moment it prints "listening" shuts it down cleanly (exit 0), every time', async () => {
    // startGatewayProcess returns on the "listening" line and stop() sends SIGTERM at once (and
    // fails unless the exit code is 0): a gateway that announced itself before it could shut down
    // was killed by SIGTERM's default action in most of these runs.
    const state = makeTempDir('cli');
    for (let i = 0; i < 3; i++) {
      const run = await startGatewayProcess({ args: ['--port', '0'], env: { MAYROS_STATE_DIR: state, MAYROS_GATEWAY_TOKEN: 'sigterm-test-token-0123456789' } });
      expect(await run.stop()).toEqual({ code: 0, signal: null });
    }
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
