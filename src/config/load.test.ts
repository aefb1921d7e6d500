import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { loadConfig, loadConfigForStartup, resolveConfigPath } from './load.js';

const dir = mkdtempSync(join(tmpdir(), 'mayros-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(text: string): string {
  const p = join(dir, `c${n++}.json5`);
  writeFileSync(p, text);
  return p;
}
const env = { MAYROS_STATE_DIR: dir };

function issues(fn: () => unknown): Array<{ path: string; message: string; fix?: string }> {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return [...err.issues];
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('config path resolution', () => {
  it('prefers --config, then MAYROS_CONFIG_PATH, then the state dir', () => {
    expect(resolveConfigPath('/a.json', { MAYROS_CONFIG_PATH: '/b.json', MAYROS_STATE_DIR: '/s' })).toBe('/a.json');
    expect(resolveConfigPath(undefined, { MAYROS_CONFIG_PATH: '/b.json', MAYROS_STATE_DIR: '/s' })).toBe('/b.json');
    expect(resolveConfigPath(undefined, { MAYROS_STATE_DIR: '/s' })).toBe('/s/mayros.json');
    expect(resolveConfigPath(undefined, {})).toMatch(/\.mayros\/mayros\.json$/);
  });
});

describe('loadConfig', () => {
  it('uses defaults when the file is missing', () => {
    const r = loadConfig({ configPath: join(dir, 'missing.json'), env });
    expect(r.fileFound).toBe(false);
    expect(r.config.gateway).toMatchObject({ port: 18789, bind: 'loopback', auth: { mode: 'token' }, trustedProxies: [] });
    expect(r.config.gateway.auth.rateLimit).toEqual({ maxAttempts: 10, windowMs: 60000, lockoutMs: 300000, exemptLoopback: true });
  });

  it('reads JSON5 with comments and records sources', () => {
    const p = file(`{ // comment\n gateway: { port: 1234, auth: { mode: 'password', password: 'x' }, }, }`);
    const r = loadConfig({ configPath: p, env: { ...env, MAYROS_GATEWAY_PASSWORD: 'from-env' } });
    expect(r.config.gateway.port).toBe(1234);
    expect(r.config.gateway.auth.password).toBe('from-env');
    expect(r.sources.get('gateway.port')).toBe('file');
    expect(r.sources.get('gateway.auth.password')).toBe('env');
    expect(r.sources.get('gateway.bind')).toBeUndefined();
  });

  it('applies flag > env > file', () => {
    const p = file(`{ gateway: { port: 1 } }`);
    expect(loadConfig({ configPath: p, env: { ...env, MAYROS_GATEWAY_PORT: '2' } }).config.gateway.port).toBe(2);
    const r = loadConfig({ configPath: p, env: { ...env, MAYROS_GATEWAY_PORT: '2' }, flags: { port: 3 } });
    expect(r.config.gateway.port).toBe(3);
    expect(r.sources.get('gateway.port')).toBe('flag');
  });

  it('freezes the result', () => {
    const r = loadConfig({ configPath: file('{}'), env });
    expect(Object.isFrozen(r.config.gateway.auth)).toBe(true);
    expect(() => {
      (r.config.gateway as { port: number }).port = 1;
    }).toThrow();
  });

  it('names an unknown key and suggests the closest one', () => {
    const [i] = issues(() => loadConfig({ configPath: file(`{ gateway: { auth: { trustedProxy: { userHeadr: 'x' } } } }`), env }));
    expect(i).toMatchObject({ path: 'gateway.auth.trustedProxy.userHeadr', message: 'unknown key "userHeadr"' });
    expect(i!.fix).toContain('"userHeader"');
  });

  it('refuses a named file that does not exist when asked to (the CLI does), naming how it was named', () => {
    const missing = join(dir, 'named-missing.json');
    const [flag] = issues(() => loadConfig({ configPath: missing, env, requireNamedFile: true }));
    expect(flag).toMatchObject({ path: '--config', message: `${missing} does not exist` });
    expect(flag!.fix).toContain(join(dir, 'mayros.json'));
    const [fromEnv] = issues(() => loadConfig({ env: { ...env, MAYROS_CONFIG_PATH: missing }, requireNamedFile: true }));
    expect(fromEnv).toMatchObject({ path: 'MAYROS_CONFIG_PATH', message: `names ${missing}, which does not exist` });
    // The default path in the state directory may be missing: that means defaults.
    expect(loadConfig({ env, requireNamedFile: true }).fileFound).toBe(false);
  });

  it('lists the allowed keys when nothing is close', () => {
    const [i] = issues(() => loadConfig({ configPath: file(`{ gateway: { zzzzzzzz: 1 } }`), env }));
    expect(i!.fix).toContain('trustedProxies');
  });

  it.each([
    ['{ gateway: { port: "80" } }', 'gateway.port', /expected number, got a string/],
    ['{ gateway: { port: 70000 } }', 'gateway.port', /65535/],
    ['{ gateway: { bind: "everywhere" } }', 'gateway.bind', /"loopback" \| "lan" \| "custom"/],
    ['{ gateway: { auth: { mode: "magic" } } }', 'gateway.auth.mode', /"trusted-proxy"/],
    ['{ gateway: { auth: { token: "" } } }', 'gateway.auth.token', /must not be empty/],
    ['{ gateway: { auth: { password: "" } } }', 'gateway.auth.password', /must not be empty/],
    ['{ gateway: { trustedProxies: "10.0.0.1" } }', 'gateway.trustedProxies', /expected array/],
    ['{ gateway: { auth: { trustedProxy: { userHeader: "x user" } } } }', 'gateway.auth.trustedProxy.userHeader', /header name/],
    ['{ gateway: { auth: { rateLimit: { maxAttempts: 0 } } } }', 'gateway.auth.rateLimit.maxAttempts', /1/],
  ])('rejects %s at %s', (text, path, message) => {
    const all = issues(() => loadConfig({ configPath: file(text), env }));
    expect(all.map((i) => i.path)).toContain(path);
    expect(all.find((i) => i.path === path)!.message).toMatch(message);
  });

  it.each([
    ['{ gateway: { trustedProxies: "10.0.0.1" } }', 'gateway.trustedProxies', 'give gateway.trustedProxies an array value'],
    ['{ gateway: { auth: 1 } }', 'gateway.auth', 'give gateway.auth an object value'],
    ['{ gateway: { port: "80" } }', 'gateway.port', 'give gateway.port a number value'],
  ])('names the expected type with the right article: %s', (text, path, fix) => {
    const all = issues(() => loadConfig({ configPath: file(text), env }));
    expect(all.find((i) => i.path === path)!.fix).toBe(fix);
  });

  it('reports a syntax error with its position', () => {
    const [i] = issues(() => loadConfig({ configPath: file(`{ gateway: { port: 1, }} }`), env }));
    expect(i!.message).toMatch(/not valid JSON5 at line 1/);
  });

  it('rejects a file that is not an object', () => {
    expect(issues(() => loadConfig({ configPath: file(`[1]`), env }))[0]!.message).toMatch(/must hold an object/);
  });

  it.each([
    ['MAYROS_GATEWAY_PORT', 'abc', /not a port number/],
    ['MAYROS_GATEWAY_TOKEN', '', /set but empty/],
    ['MAYROS_GATEWAY_PASSWORD', '', /set but empty/],
  ])('rejects %s=%j', (name, value, message) => {
    const [i] = issues(() => loadConfig({ configPath: file('{}'), env: { ...env, [name]: value } }));
    expect(i).toMatchObject({ path: name });
    expect(i!.message).toMatch(message);
  });

  it('normalises header names to lower case', () => {
    const r = loadConfig({ configPath: file(`{ gateway: { auth: { trustedProxy: { userHeader: 'X-Forwarded-User', requiredHeaders: ['X-Forwarded-Proto'] } } } }`), env });
    expect(r.config.gateway.auth.trustedProxy.userHeader).toBe('x-forwarded-user');
    expect(r.config.gateway.auth.trustedProxy.requiredHeaders).toEqual(['x-forwarded-proto']);
  });
});

describe('startup validation', () => {
  const tp = (gateway: string) => `{ gateway: { auth: { mode: "trusted-proxy", trustedProxy: { userHeader: "x-forwarded-user" } }, ${gateway} } }`;

  it.each([
    ['trusted-proxy without trustedProxies, socket or client certificate', tp(''), 'gateway.trustedProxies', /a way to know the proxy/],
    ['trusted-proxy without userHeader', '{ gateway: { trustedProxies: ["127.0.0.1"], auth: { mode: "trusted-proxy" } } }', 'gateway.auth.trustedProxy.userHeader', /required/],
    ['loopback bind without a loopback proxy', tp('trustedProxies: ["10.0.0.1"]'), 'gateway.trustedProxies', /could never reach/],
    ['an entry that is not an IP', tp('trustedProxies: ["127.0.0.1", "proxy.local"]'), 'gateway.trustedProxies[1]', /"proxy.local" is not an IP/],
    ['a bad prefix', tp('trustedProxies: ["127.0.0.0/40"]'), 'gateway.trustedProxies[0]', /prefix length 40/],
    ['an entry trusting every IPv4 address', tp('trustedProxies: ["127.0.0.1", "0.0.0.0/0"]'), 'gateway.trustedProxies[1]', /"0.0.0.0\/0" matches every IPv4 address/],
    ['an entry trusting every IPv6 address', tp('trustedProxies: ["127.0.0.1", "::/0"]'), 'gateway.trustedProxies[1]', /"::\/0" matches every IPv6 address/],
    ['the IPv4-mapped spelling of every IPv4 address', tp('trustedProxies: ["::ffff:0:0/96"]'), 'gateway.trustedProxies[0]', /every IPv4 address/],
    ['two halves of the IPv4 space', tp('trustedProxies: ["0.0.0.0/1", "10.0.0.1", "128.0.0.0/1"]'), 'gateway.trustedProxies', /gateway.trustedProxies\[0\] "0.0.0.0\/1" and gateway.trustedProxies\[2\] "128.0.0.0\/1" together match every IPv4 address/],
    ['two halves of the IPv6 space', tp('trustedProxies: ["127.0.0.1", "::/1", "8000::/1"]'), 'gateway.trustedProxies', /together match every IPv6 address/],
    ['mode none on lan', '{ gateway: { bind: "lan", auth: { mode: "none" } } }', 'gateway.auth.mode', /unauthenticated/],
    ['password mode without a password', '{ gateway: { auth: { mode: "password" } } }', 'gateway.auth.password', /needs a password/],
    ['custom bind without a host', '{ gateway: { bind: "custom" } }', 'gateway.customBindHost', /required/],
    ['custom bind with a host name', '{ gateway: { bind: "custom", customBindHost: "example.com" } }', 'gateway.customBindHost', /not an IP/],
    ['bind none without a socket', '{ gateway: { bind: "none" } }', 'gateway.bind', /would listen nowhere/],
    ['a relative socket path', '{ gateway: { listen: { unixSocket: { path: "run/gw.sock" } } } }', 'gateway.listen.unixSocket.path', /not an absolute path/],
    ['a socket path too long for sun_path', `{ gateway: { listen: { unixSocket: { path: "/${'d'.repeat(110)}" } } } }`, 'gateway.listen.unixSocket.path', /at most 107/],
    ['a socket mode that is not octal', '{ gateway: { listen: { unixSocket: { path: "/run/gw.sock", mode: "rw-rw----" } } } }', 'gateway.listen.unixSocket.mode', /octal file mode/],
    ['a relative certificate path', '{ gateway: { tls: { cert: "gw.crt", key: "/k.pem" } } }', 'gateway.tls.cert', /not an absolute path/],
    ['TLS with bind none', '{ gateway: { bind: "none", listen: { unixSocket: { path: "/run/gw.sock" } }, tls: { cert: "/c.pem", key: "/k.pem" } } }', 'gateway.tls', /bind "none" has none/],
    ['a client certificate check without a client CA', tp('bind: "lan", tls: { cert: "/c.pem", key: "/k.pem" }, trustedProxies: ["10.0.0.1"], auth: { mode: "trusted-proxy", trustedProxy: { userHeader: "x-u", clientCert: { allowedNames: ["p"] } } }'), 'gateway.auth.trustedProxy.clientCert', /clientCa is not set/],
    ['a client CA that nothing reads', '{ gateway: { tls: { cert: "/c.pem", key: "/k.pem", clientCa: "/ca.pem" } } }', 'gateway.tls.clientCa', /no client certificate would be checked/],
    ['no allowed certificate names', tp('tls: { cert: "/c.pem", key: "/k.pem", clientCa: "/ca.pem" }, auth: { mode: "trusted-proxy", trustedProxy: { userHeader: "x-u", clientCert: { allowedNames: [] } } }'), 'gateway.auth.trustedProxy.clientCert.allowedNames', /at least one name/],
    ['a bad allowed origin', '{ gateway: { controlUi: { allowedOrigins: ["https://x.example/path"] } } }', 'gateway.controlUi.allowedOrigins[0]', /not an origin/],
  ])('refuses %s', (_n, text, path, message) => {
    const all = issues(() => loadConfigForStartup({ configPath: file(text), env }));
    const hit = all.find((i) => i.path === path);
    expect(hit, JSON.stringify(all)).toBeDefined();
    expect(hit!.message).toMatch(message);
    expect(hit!.fix).toBeTruthy();
  });

  it.each([
    ['127.0.0.1'],
    ['::1'],
    ['127.0.0.0/8'],
    ['0.0.0.0/1'],
    ['::ffff:127.0.0.1'],
  ])('accepts loopback bind with %s as proxy', (entry) => {
    expect(() => loadConfigForStartup({ configPath: file(tp(`trustedProxies: ["${entry}"]`)), env })).not.toThrow();
  });

  it.each([
    ['a Unix socket only', '{ gateway: { bind: "none", listen: { unixSocket: { path: "/run/mayros/gw.sock", group: "www-data" } }, auth: { mode: "trusted-proxy", trustedProxy: { userHeader: "x-u" } } } }'],
    ['a Unix socket beside a loopback listener that trusts no TCP peer', '{ gateway: { listen: { unixSocket: { path: "/run/mayros/gw.sock", mode: "0600", group: 33 } }, auth: { mode: "trusted-proxy", trustedProxy: { userHeader: "x-u" } } } }'],
    ['a client certificate only', '{ gateway: { bind: "lan", tls: { cert: "/c.pem", key: "/k.pem", clientCa: "/ca.pem" }, auth: { mode: "trusted-proxy", trustedProxy: { userHeader: "x-u", clientCert: { allowedNames: ["mayros-proxy"] } } } } }'],
    ['a client certificate and an address', '{ gateway: { bind: "lan", trustedProxies: ["10.0.0.7"], tls: { cert: "/c.pem", key: "/k.pem", clientCa: "/ca.pem" }, auth: { mode: "trusted-proxy", trustedProxy: { userHeader: "x-u", clientCert: { allowedNames: ["mayros-proxy"] } } } } }'],
    ['token mode over TLS', '{ gateway: { bind: "lan", tls: { cert: "/c.pem", key: "/k.pem" }, auth: { token: "a-token-long-enough-for-the-gateway-000" } } }'],
  ])('accepts trusted-proxy mode with %s', (_n, text) => {
    expect(() => loadConfigForStartup({ configPath: file(text), env })).not.toThrow();
  });

  it('a socket mode defaults to 0660', () => {
    const r = loadConfigForStartup({ configPath: file('{ gateway: { bind: "none", listen: { unixSocket: { path: "/run/gw.sock" } } } }'), env });
    expect(r.config.gateway.listen.unixSocket).toEqual({ path: '/run/gw.sock', mode: '0660' });
  });

  it('accepts a non-loopback proxy with a lan bind', () => {
    expect(() => loadConfigForStartup({ configPath: file(tp('bind: "lan", trustedProxies: ["10.0.0.1"]')), env })).not.toThrow();
  });

  it('accepts mode none on loopback', () => {
    expect(() => loadConfigForStartup({ configPath: file('{ gateway: { auth: { mode: "none" } } }'), env })).not.toThrow();
  });

  it('loadConfig alone does not refuse (the audit reads such files)', () => {
    expect(() => loadConfig({ configPath: file(tp('')), env })).not.toThrow();
  });
});
