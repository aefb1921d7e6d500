/**
 * The recipe folders stay complete and honest: every gateway config passes startup validation,
 * every recipe is linked from docs/proxies.md, each README says whether our tests run it, and every
 * proxy config (also those no suite can run) handles each header its gateway config reads and
 * leaves /healthz and /readyz open. The proxy suites prove the tested ones' behaviour.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigForStartup } from '../../src/config/load.js';
import { proxyDecisionHeaders } from '../../src/security/proxy-headers.js';
import { REPO_ROOT } from '../support/paths.js';

const RECIPES_DIR = join(REPO_ROOT, 'examples/proxies');
/** Recipe -> the suite that runs it against the real proxy. */
const TESTED: Record<string, string> = {
  nginx: 'test/proxies/nginx.e2e.test.ts',
  caddy: 'test/proxies/caddy.e2e.test.ts',
  'apache-oidc': 'test/proxies/apache-oidc.e2e.test.ts',
};
const UNTESTED = ['pomerium', 'traefik'];
const recipes = readdirSync(RECIPES_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
const read = (...p: string[]) => readFileSync(join(...p), 'utf8');

describe('proxy recipes', () => {
  it('are exactly the tested and the untested ones', () => {
    expect(recipes).toEqual([...Object.keys(TESTED), ...UNTESTED].sort());
  });

  it.each(recipes)('%s: mayros.json is a trusted-proxy config the gateway starts with', (name) => {
    const resolved = loadConfigForStartup({ configPath: join(RECIPES_DIR, name, 'mayros.json'), env: {} });
    expect(resolved.fileFound).toBe(true);
    expect(resolved.config.gateway.auth.mode).toBe('trusted-proxy');
    expect(resolved.config.gateway.trustedProxies.length).toBeGreaterThan(0);
  });

  it.each(recipes)('%s: README says whether our tests run it, and how to audit the config', (name) => {
    const readme = read(RECIPES_DIR, name, 'README.md');
    if (TESTED[name]) {
      expect(readme).toContain('**Tested:** yes');
      expect(readme).toContain(TESTED[name]!.split('/').pop()!);
      expect(existsSync(join(REPO_ROOT, TESTED[name]!))).toBe(true);
    } else {
      expect(readme).toContain('**Not exercised by our tests.**');
    }
    for (const section of ['## trustedProxies', '## Keeping the gateway reachable only from', '## Security audit']) {
      expect(readme, `${name}/README.md lacks "${section}"`).toContain(section);
    }
    expect(readme).toContain(`mayros security audit --config examples/proxies/${name}/mayros.json`);
  });

  it.each(recipes)('%s: the proxy config names every user, groups and assertion header the gateway reads, and the open health paths', (name) => {
    const resolved = loadConfigForStartup({ configPath: join(RECIPES_DIR, name, 'mayros.json'), env: {} });
    const files = readdirSync(join(RECIPES_DIR, name)).filter((f) => f !== 'README.md' && !/^mayros(-\w+)?\.json$/.test(f) && !f.endsWith('.mjs'));
    const text = files.map((f) => read(RECIPES_DIR, name, f)).join('\n').toLowerCase();
    const headers = proxyDecisionHeaders(resolved.config).filter((h) => h.role !== 'required');
    expect(headers.length).toBeGreaterThan(0);
    // Forwarding headers in requiredHeaders (x-forwarded-proto) are set by every proxy on its own.
    for (const h of headers) expect(text, `${name}: no proxy file mentions ${h.name} (${h.role})`).toContain(h.name);
    expect(text).toContain('healthz');
    expect(text).toContain('readyz');
    // The tested recipes and Traefik take groups from a header; Pomerium from the signed assertion.
    expect(headers.some((h) => h.role === 'groups' || h.role === 'assertion'), `${name} reads no groups`).toBe(true);
  });

  /** Each tested recipe's variants: the gateway config, and the proxy template that reaches it that way. */
  const VARIANTS: Record<string, Record<'unix' | 'mtls', string>> = {
    nginx: { unix: 'mayros-site-unix.conf.template', mtls: 'mayros-site-mtls.conf.template' },
    caddy: { unix: 'Caddyfile-unix.template', mtls: 'Caddyfile-mtls.template' },
    'apache-oidc': { unix: 'httpd-unix.conf.template', mtls: 'httpd-mtls.conf.template' },
  };

  it.each(Object.keys(TESTED))('%s: has a Unix socket and a mutual TLS variant, configs the gateway starts with, each in its README', (name) => {
    expect(Object.keys(VARIANTS).sort()).toEqual(Object.keys(TESTED).sort());
    const unix = loadConfigForStartup({ configPath: join(RECIPES_DIR, name, 'mayros-unix.json'), env: {} }).config.gateway;
    expect(unix).toMatchObject({ bind: 'none', trustedProxies: [], auth: { mode: 'trusted-proxy' }, listen: { unixSocket: { mode: '0660' } } });
    expect(unix.listen.unixSocket!.group).toBeDefined();
    const mtls = loadConfigForStartup({ configPath: join(RECIPES_DIR, name, 'mayros-mtls.json'), env: {} }).config.gateway;
    expect(mtls.tls?.clientCa).toBeDefined();
    expect(mtls.auth.trustedProxy.clientCert?.allowedNames).toEqual(['mayros-proxy']);
    // Every variant reads the same headers as the recipe's TCP config.
    const base = loadConfigForStartup({ configPath: join(RECIPES_DIR, name, 'mayros.json'), env: {} }).config;
    for (const v of [unix, mtls]) expect(proxyDecisionHeaders({ ...base, gateway: v })).toEqual(proxyDecisionHeaders(base));
    const readme = read(RECIPES_DIR, name, 'README.md');
    for (const f of ['mayros-unix.json', 'mayros-mtls.json', VARIANTS[name]!.unix, VARIANTS[name]!.mtls]) {
      expect(existsSync(join(RECIPES_DIR, name, f)), f).toBe(true);
      expect(readme, `${name}/README.md does not mention ${f}`).toContain(f);
    }
    expect(readme).toContain('## Unix socket variant');
    expect(readme).toContain('## Mutual TLS variant');
  });

  it.each(recipes)('%s: is linked from docs/proxies.md', (name) => {
    expect(read(REPO_ROOT, 'docs/proxies.md')).toContain(`(../examples/proxies/${name}/)`);
  });
});
