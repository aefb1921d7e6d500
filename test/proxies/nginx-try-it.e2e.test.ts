/**
 * The nginx recipe's "Try it on this machine" steps, run as the README writes them: the shipped
 * stand-in sign-in (stand-in-auth.mjs) started with the README's command, the README's shell block
 * (create the prefix directory, render both templates, `nginx -t`) run by sh with only the
 * directory and the ports changed, nginx started with the README's last command, and the sign-in a
 * person would click through, with the gateway on the recipe's mayros.json as shipped.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest } from '../support/http-client.js';
import { wsAttempt } from '../support/ws-client.js';
import { cleanEnv } from '../support/env.js';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { REPO_ROOT } from '../support/paths.js';
import { NGINX_RECIPE_DIR } from '../support/nginx.js';
import { freePort, requireBinary, runToCompletion, startProcess, waitForListening, type ManagedProcess } from '../support/processes.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

const nginxBin = requireBinary('nginx');
const README = readFileSync(join(NGINX_RECIPE_DIR, 'README.md'), 'utf8');

/** The fenced block after `marker`, as lines. */
function blockAfter(marker: string): string[] {
  const at = README.indexOf(marker);
  expect(at, `README has no "${marker}"`).toBeGreaterThan(-1);
  const m = /```sh\n([\s\S]*?)\n\s*```/.exec(README.slice(at));
  return m![1]!.split('\n').map((l) => l.trim());
}

/** The README's command that starts with `prefix`, split into words (it has no quoted spaces). */
function commandLine(prefix: string): string[] {
  const line = README.split('\n').map((l) => l.trim()).find((l) => l.startsWith(prefix));
  expect(line, `README has no command starting with "${prefix}"`).toBeDefined();
  return line!.split(/\s+/);
}

describe.skipIf(!nginxBin)('nginx recipe: "Try it on this machine", as written', () => {
  let gateway: GatewayProcess;
  let standIn: ManagedProcess;
  let nginx: ManagedProcess;
  let prefix: string;
  let url: string;

  beforeAll(async () => {
    // The recipe's config as shipped (allowUsers: alice), on a free port instead of 18789.
    gateway = await startGatewayProcess({ config: JSON.parse(readFileSync(join(NGINX_RECIPE_DIR, 'mayros.json'), 'utf8')) });

    const standInCmd = commandLine('node examples/proxies/nginx/stand-in-auth.mjs');
    const authPort = await freePort();
    standIn = startProcess(process.execPath, [...standInCmd.slice(1), '--port', String(authPort)], { cwd: REPO_ROOT, env: cleanEnv(), name: 'stand-in-auth' });
    await standIn.waitForOutput(/stand-in sign-in listening on http:\/\/127\.0\.0\.1:\d+/);

    // The README's block with its values replaced: a fresh prefix that does not exist yet (the block
    // must create it), and free ports. The last line starts nginx in the foreground; run it below.
    const block = blockAfter('<!-- try-it: nginx');
    const parent = makeTempDir('try-it');
    prefix = join(parent, 'nginx prefix');
    const listenPort = await freePort();
    const lines = block.map((l) => {
      if (l.startsWith('PREFIX=')) return `PREFIX='${prefix}'`;
      if (l.startsWith('LISTEN_PORT=')) return `LISTEN_PORT=${listenPort} AUTH_PORT=${authPort} GATEWAY_PORT=${gateway.port}`;
      return l;
    });
    expect(lines.filter((l) => l.startsWith('PREFIX=') || l.startsWith('LISTEN_PORT='))).toHaveLength(2);
    expect(lines).toContain('mkdir -p "$PREFIX"');
    const run = lines.pop()!;
    expect(run).toBe(`nginx -p "$PREFIX/" -e "$PREFIX/error.log" -c "$PREFIX/nginx.conf" -g 'daemon off;'`);
    // Joined as sh reads them; a trailing backslash continues a command on the next line.
    const script = lines.join('\n').replace(/\\\n/g, ' ');
    const sh = await runToCompletion('/bin/sh', ['-ec', `cd '${REPO_ROOT}'\nPATH="$PATH:/usr/sbin:/sbin"\n${script}`]);
    expect(sh.code, `${sh.stdout}\n${sh.stderr}`).toBe(0);
    expect(existsSync(join(prefix, 'nginx.conf')) && existsSync(join(prefix, 'mayros-site.conf'))).toBe(true);
    expect(sh.stderr).toContain('test is successful');

    nginx = startProcess(nginxBin!, ['-p', `${prefix}/`, '-e', `${prefix}/error.log`, '-c', `${prefix}/nginx.conf`, '-g', 'daemon off;'], { cwd: parent, name: 'nginx' });
    await waitForListening(nginx, listenPort);
    url = `http://127.0.0.1:${listenPort}`;
    afterAllCleanup = () => removeTempDir(parent);
  });

  let afterAllCleanup = () => {};
  afterAll(async () => {
    await nginx?.stop();
    await standIn?.stop();
    await gateway?.stop();
    afterAllCleanup();
  });

  async function signIn(user: string): Promise<string> {
    const r = await httpRequest(`${url}/oauth2/sign_in`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ user, rd: '/api/whoami' }).toString(),
    });
    expect(r.status, r.text).toBe(302);
    expect(r.headers.location).toBe('/api/whoami');
    const cookie = String(r.headers['set-cookie']).split(';')[0]!;
    expect(cookie).toMatch(/^mayros_stand_in_session=[\w-]{20,}$/);
    return cookie;
  }

  it('shows the stand-in sign-in page in place of the Control UI, with a button per listed person', async () => {
    const r = await httpRequest(`${url}/`);
    expect(r.status).toBe(401);
    expect(r.headers['content-type']).toContain('text/html');
    expect(r.text).toContain('value="alice@example.com"');
    expect(r.text).toContain('value="mallory@example.com"');
    expect(r.text).toContain('<input type="hidden" name="rd" value="/">');
  });

  it('alice signs in and is admitted over HTTP and WebSocket, with the group the stand-in gives her', async () => {
    const cookie = await signIn('alice@example.com');
    const r = await httpRequest(`${url}/api/whoami`, { headers: { cookie, 'x-auth-request-email': 'admin@example.com', 'x-auth-request-groups': 'admins' } });
    expect(r.json, r.text).toEqual({ user: 'alice@example.com', method: 'trusted-proxy', groups: ['staff'], scopes: ['operator.read', 'operator.write'] });
    const o = await wsAttempt(`${url.replace(/^http/, 'ws')}/`, { headers: { cookie } });
    expect(o, JSON.stringify(o)).toMatchObject({ kind: 'hello', identity: { user: 'alice@example.com' } });
  });

  it('mallory signs in and is refused by the gateway (not in allowUsers)', async () => {
    const cookie = await signIn('mallory@example.com');
    const r = await httpRequest(`${url}/api/whoami`, { headers: { cookie } });
    expect(r.status).toBe(403);
    expect(r.json?.error?.reason).toBe('trusted_proxy_user_not_allowed');
  });

  it('the stand-in signs in only listed people, returns only to paths on this site, and signs out', async () => {
    const nobody = await httpRequest(`${url}/oauth2/sign_in`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'user=admin%40example.com' });
    expect(nobody.status).toBe(400);
    const away = await httpRequest(`${url}/oauth2/sign_in`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'user=alice%40example.com&rd=%2F%2Fevil.example%2F' });
    expect(away.headers.location).toBe('/');
    const out = await httpRequest(`${url}/oauth2/sign_out`);
    expect(out.status).toBe(302);
    expect(String(out.headers['set-cookie'])).toContain('Max-Age=0');
  });

  it('leaves /healthz open, and nginx keeps its pid and logs in the directory the steps created', async () => {
    const r = await httpRequest(`${url}/healthz`);
    expect(r.json).toEqual({ ok: true });
    expect(existsSync(join(prefix, 'nginx.pid'))).toBe(true);
    expect(existsSync(join(prefix, 'access.log'))).toBe(true);
  });
});
