/**
 * Apache + mod_auth_openidc, end to end: a real authorization code flow against oidc-provider on
 * loopback, Apache from examples/proxies/apache-oidc, and the gateway CLI in trusted-proxy mode.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APACHE_RECIPE_DIR, OIDC_MODULE, apacheRedirectUri, modAuthOpenidcVersion, startApache, type RunningApache } from '../support/apache.js';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway.js';
import { oidcProviderVersion, startOidcProvider, type RunningOidcProvider } from '../support/oidc-provider.js';
import { oidcBrowserLogin, type LoginResult } from '../support/oidc-login.js';
import { freePort, requireBinary, requireFile } from '../support/processes.js';
import { USERS, proxyConformance, recipeGatewayConfig, type ProxySetup } from './conformance.js';
import { expectDocsListVersion } from './docs-version.js';

const apacheBin = requireBinary('apache2');
const oidcModule = requireFile(OIDC_MODULE, 'mod_auth_openidc (Debian package libapache2-mod-auth-openidc)');

describe.skipIf(!apacheBin || !oidcModule)('Apache + mod_auth_openidc recipe', () => {
  let gateway: GatewayProcess;
  let idp: RunningOidcProvider;
  let apache: RunningApache;
  let setup: ProxySetup;
  const logins: Partial<Record<'alice' | 'mallory', LoginResult>> = {};

  beforeAll(async () => {
    gateway = await startGatewayProcess({ config: recipeGatewayConfig(APACHE_RECIPE_DIR) });
    const port = await freePort();
    const client = { client_id: 'mayros-gateway', client_secret: randomBytes(24).toString('hex'), redirect_uris: [apacheRedirectUri(port)] };
    idp = await startOidcProvider({ client, accounts: { alice: USERS.alice, mallory: USERS.mallory } });
    apache = await startApache({ gatewayPort: gateway.port, port, oidc: { issuer: idp.issuer, clientId: client.client_id, clientSecret: client.client_secret } });
    for (const who of ['alice', 'mallory'] as const) {
      logins[who] = await oidcBrowserLogin(`${apache.url}/api/whoami`, { login: who, password: 'any password' });
    }
    setup = {
      proxyUrl: apache.url,
      gatewayUrl: gateway.url,
      identityHeader: 'x-forwarded-email',
      signedIn: (who) => ({ cookie: logins[who]!.jar.header(apache.url)! }),
    };
  });

  afterAll(async () => {
    await apache?.stop();
    await idp?.stop();
    await gateway?.stop();
  });

  it('a scripted login (redirects, the provider\'s login and consent forms, cookies) ends with the gateway seeing the OIDC email', () => {
    const alice = logins.alice!;
    // The flow went out to the provider and back through the callback, not straight through.
    expect(alice.trail.some((s) => s.includes(`${new URL(idp.issuer).host}/interaction/`)), alice.trail.join('\n')).toBe(true);
    expect(alice.trail.some((s) => s.includes('/oidc/callback')), alice.trail.join('\n')).toBe(true);
    expect(alice.response.status, alice.response.body).toBe(200);
    expect(alice.response.json).toEqual({ user: USERS.alice, method: 'trusted-proxy', groups: [] });
  });

  proxyConformance(() => setup);

  it('docs/proxies.md lists the Apache, mod_auth_openidc and oidc-provider versions this run used', () => {
    expectDocsListVersion('Apache httpd', apache.version);
    expectDocsListVersion('mod_auth_openidc', modAuthOpenidcVersion());
    expectDocsListVersion('oidc-provider', oidcProviderVersion());
  });
});
