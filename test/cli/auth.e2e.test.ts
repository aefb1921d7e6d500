import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { writeConfig } from '../support/config-file.js';
import { cleanEnv } from '../support/env.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

const dir = makeTempDir('cli');
let tp: string;
let refused: string;
afterAll(() => removeTempDir(dir));
beforeAll(() => {
  tp = writeConfig(
    dir,
    `{ gateway: { trustedProxies: ["127.0.0.1"], auth: { mode: "trusted-proxy",
       trustedProxy: { userHeader: "x-forwarded-user", requiredHeaders: ["x-forwarded-proto"], allowUsers: ["nick@example.com"] } } } }`,
    'tp.json5',
  );
  // Loopback bind with only a LAN proxy listed: `gateway run` refuses this config.
  refused = writeConfig(dir, '{ gateway: { trustedProxies: ["10.0.0.5"], auth: { mode: "trusted-proxy", trustedProxy: { userHeader: "x-forwarded-user" } } } }', 'refused.json5');
});
const env = () => cleanEnv({}, { minimal: true, stateDir: dir });

describe('mayros auth explain', () => {
  it('--json gives the trail as data and nothing else on stdout', async () => {
    const r = await runCli(['auth', 'explain', '--config', tp, '--from', '127.0.0.1', '--header', 'X-Forwarded-Proto: https', '--header', 'X-Forwarded-User: eve@example.com', '--json'], env());
    expect(r.code).toBe(0);
    const e = JSON.parse(r.stdout);
    expect(Object.keys(e)).toEqual(['file', 'mode', 'startupIssues', 'request', 'steps', 'outcome']);
    expect(e.steps.filter((s: { result: string }) => s.result !== 'note').map((s: { step: string; result: string }) => `${s.step}:${s.result}`)).toEqual([
      'source:pass',
      'required-header:pass',
      'identity:pass',
      'allowlist:fail',
    ]);
    expect(e.outcome).toMatchObject({ ok: false, code: 'trusted_proxy_user_not_allowed', http: { status: 403 }, websocket: { closeCode: 1008 } });
  });

  it('prints readable steps without ANSI codes when piped', async () => {
    const r = await runCli(['auth', 'explain', '--config', tp, '--from', '127.0.0.2', '-H', 'X-Forwarded-User: nick@example.com'], env());
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/\u001b\[/);
    expect(r.stdout).toMatch(/\[FAIL\] source +peer 127\.0\.0\.2 matches no gateway\.trustedProxies entry/);
    expect(r.stdout).toMatch(/\[skip\] required-header +x-forwarded-proto: not checked/);
    expect(r.stdout).toContain('Outcome: REFUSED trusted_proxy_untrusted_source');
    expect(r.stdout).toContain('HTTP:      401');
    expect(r.stdout).toContain('1008 "trusted_proxy_untrusted_source"');
  });

  it('reads a non-ASCII name as the gateway does (UTF-8 on the wire, NFC)', async () => {
    const utf8 = writeConfig(dir, '{ gateway: { trustedProxies: ["127.0.0.1"], auth: { mode: "trusted-proxy", trustedProxy: { userHeader: "x-forwarded-user", allowUsers: ["jürgen@example.com"] } } } }', 'utf8.json5');
    const nfc = await runCli(['auth', 'explain', '--config', utf8, '--from', '127.0.0.1', '-H', 'X-Forwarded-User: jürgen@example.com'], env());
    expect(nfc.stdout).toContain('Outcome: ADMITTED as "jürgen@example.com"');
    const nfd = await runCli(['auth', 'explain', '--config', utf8, '--from', '127.0.0.1', '-H', 'X-Forwarded-User: ju\u0308rgen@example.com', '--json'], env());
    expect(JSON.parse(nfd.stdout).outcome).toMatchObject({ ok: true, user: 'jürgen@example.com' });
  });

  it('never prints the --bearer secret', async () => {
    const r = await runCli(['auth', 'explain', '--config', tp, '--from', '127.0.0.1', '--bearer', 'SECRET-bearer-42', '-H', 'Authorization: Bearer SECRET-header-43'], env());
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toMatch(/SECRET-/);
  });

  it('explains a config the gateway would refuse to start with, and says so', async () => {
    const r = await runCli(['auth', 'explain', '--config', refused, '--from', '10.0.0.5', '-H', 'X-Forwarded-User: nick'], env());
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('the gateway would refuse to start with this config');
    expect(r.stdout).toContain('Outcome: ADMITTED as "nick"');
  });

  it.each([
    [['--from', 'proxy.internal'], /--from "proxy.internal" is not an IP address/],
    [['--from', '127.0.0.1', '-H', 'X-Forwarded-User nick'], /is not "Name: value"/],
  ])('exits 2 with a clear message on bad input %j', async (args, message) => {
    const r = await runCli(['auth', 'explain', '--config', tp, ...args], env());
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
  });

  it('exits 2 naming the field when the config cannot be read', async () => {
    const bad = writeConfig(dir, '{ gateway: { auth: { mode: "tokn" } } }', 'bad.json5');
    const r = await runCli(['auth', 'explain', '--config', bad, '--from', '127.0.0.1'], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('gateway.auth.mode');
  });

  it('requires --from or --unix, and not both', async () => {
    const r = await runCli(['auth', 'explain', '--config', tp], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('give --from <ip>');
    expect(r.stderr).toContain('or --unix');
    const both = await runCli(['auth', 'explain', '--config', tp, '--unix', '--from', '127.0.0.1'], env());
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('leave out --from and --client-cert');
  });

  it('--unix: a request on the Unix socket passes the source step; over TCP the same headers do not', async () => {
    const sock = writeConfig(dir, '{ gateway: { bind: "none", listen: { unixSocket: { path: "/run/mayros/gw.sock" } }, auth: { mode: "trusted-proxy", trustedProxy: { userHeader: "x-forwarded-user", allowUsers: ["nick@example.com"] } } } }', 'sock.json5');
    const r = await runCli(['auth', 'explain', '--config', sock, '--unix', '-H', 'X-Forwarded-User: nick@example.com'], env());
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Request on the Unix socket /run/mayros/gw.sock');
    expect(r.stdout).toMatch(/\[pass\] source +arrived on the gateway's Unix socket/);
    expect(r.stdout).toContain('Outcome: ADMITTED as "nick@example.com"');
    const tcp = await runCli(['auth', 'explain', '--config', sock, '--from', '127.0.0.1', '-H', 'X-Forwarded-User: nick@example.com', '--json'], env());
    const e = JSON.parse(tcp.stdout);
    expect(e.outcome).toMatchObject({ ok: false, code: 'trusted_proxy_untrusted_source' });
    expect(e.steps.find((s: { step: string }) => s.step === 'transport').detail).toContain('no TCP listener');
  });

  it('--client-cert: reads the file, or says why not', async () => {
    const mtls = writeConfig(dir, '{ gateway: { bind: "lan", tls: { cert: "/c.pem", key: "/k.pem", clientCa: "/nonexistent/ca.pem" }, auth: { mode: "trusted-proxy", trustedProxy: { userHeader: "x-forwarded-user", clientCert: { allowedNames: ["mayros-proxy"] } } } } }', 'mtls.json5');
    const r = await runCli(['auth', 'explain', '--config', mtls, '--from', '10.0.0.7', '--client-cert', `${dir}/none.pem`, '-H', 'X-Forwarded-User: nick'], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--client-cert ${dir}/none.pem cannot be read (ENOENT)`);
    const none = await runCli(['auth', 'explain', '--config', mtls, '--from', '10.0.0.7', '-H', 'X-Forwarded-User: nick'], env());
    expect(none.stdout).toContain('Request from 10.0.0.7 over TLS');
    expect(none.stdout).toContain('client certificate: none presented');
    expect(none.stdout).toContain('Outcome: REFUSED trusted_proxy_client_cert_missing');
  });
});
