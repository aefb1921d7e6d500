/**
 * Apache + mod_auth_openidc, end to end: a real authorization code flow against oidc-provider on
 * loopback, Apache from examples/proxies/apache-oidc, a header tap on Apache's upstream hop, and
 * the gateway CLI in trusted-proxy mode.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APACHE_RECIPE_DIR, OIDC_MODULE, apacheRedirectUri, modAuthOpenidcVersion, startApache, type RunningApache } from '../support/apache.js';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { startHeaderTap, type HeaderTap } from '../support/header-tap.js';
import { oidcProviderVersion, startOidcProvider, type RunningOidcProvider } from '../support/oidc-provider.js';
import { oidcBrowserLogin, type LoginResult } from '../support/oidc-login.js';
import { freePort, requireBinary, requireFile } from '../support/processes.js';
import { ALICE_WHOAMI, GROUPS, USERS, proxyConformance, recipeGatewayConfig, type ProxySetup } from './conformance.js';
import { expectDocsListVersion } from '../support/docs-version.js';
import { expectDeepSeesProxySignIn, recipeVariant } from '../support/recipe-variant.js';
import { PROXY_CERT_NAME, startRecipeTransport, VARIANT_CONFIG, type RecipeTransport } from '../support/recipe-transport.js';
import { wsAttempt } from '../support/ws-client.js';

const apacheBin = requireBinary('apache2');
const oidcModule = requireFile(OIDC_MODULE, 'mod_auth_openidc (Debian package libapache2-mod-auth-openidc)');
const HEALTH_ROUTE = /\n# Health and readiness, open to anyone[\s\S]*?<\/LocationMatch>\n/;

describe.skipIf(!apacheBin || !oidcModule)('Apache + mod_auth_openidc recipe', () => {
  let gateway: GatewayProcess;
  let tap: HeaderTap;
  let idp: RunningOidcProvider;
  let apache: RunningApache;
  let setup: ProxySetup;
  const logins: Partial<Record<'alice' | 'mallory', LoginResult>> = {};
  const config = recipeGatewayConfig(APACHE_RECIPE_DIR);
  let oidc: { issuer: string; clientId: string; clientSecret: string };

  beforeAll(async () => {
    gateway = await startGatewayProcess({ config });
    tap = await startHeaderTap({ upstreamPort: gateway.port });
    const port = await freePort();
    const client = { client_id: 'mayros-gateway', client_secret: randomBytes(24).toString('hex'), redirect_uris: [apacheRedirectUri(port)] };
    idp = await startOidcProvider({ client, accounts: { alice: { email: USERS.alice, groups: GROUPS.alice }, mallory: USERS.mallory } });
    oidc = { issuer: idp.issuer, clientId: client.client_id, clientSecret: client.client_secret };
    apache = await startApache({ gatewayPort: tap.port, port, oidc });
    for (const who of ['alice', 'mallory'] as const) {
      logins[who] = await oidcBrowserLogin(`${apache.url}/api/whoami`, { login: who, password: 'any password' });
    }
    setup = {
      proxyUrl: apache.url,
      gatewayUrl: gateway.url,
      identityHeader: 'x-forwarded-email',
      gatewayConfig: config,
      tap,
      signedIn: (who) => ({ cookie: logins[who]!.jar.header(apache.url)! }),
    };
  });

  afterAll(async () => {
    await apache?.stop();
    await idp?.stop();
    await tap?.stop();
    await gateway?.stop();
  });

  it('a scripted login (redirects, the provider\'s login and consent forms, cookies) ends with the gateway seeing the OIDC email', () => {
    const alice = logins.alice!;
    // The flow went out to the provider and back through the callback, not straight through.
    expect(alice.trail.some((s) => s.includes(`${new URL(idp.issuer).host}/interaction/`)), alice.trail.join('\n')).toBe(true);
    expect(alice.trail.some((s) => s.includes('/oidc/callback')), alice.trail.join('\n')).toBe(true);
    expect(alice.response.status, alice.response.text).toBe(200);
    expect(alice.response.json).toEqual(ALICE_WHOAMI);
  });

  proxyConformance(() => setup);

  it('without the recipe\'s open health route, --deep says it reached Apache asking for sign-in, and what to open', async () => {
    const variant = recipeVariant(APACHE_RECIPE_DIR, 'httpd.conf.template', HEALTH_ROUTE);
    // The provider knows one redirect URI (this suite's Apache); the variant needs no login, only the redirect to it.
    const protectedApache = await startApache({ gatewayPort: gateway.port, oidc, templateDir: variant.dir });
    try {
      // mod_auth_openidc redirects a browser to the provider and answers 401 to a client that does not ask for HTML.
      await expectDeepSeesProxySignIn(protectedApache.url, [302, 401], 'Apache');
    } finally {
      await protectedApache.stop();
      variant.remove();
    }
  });

  it('docs/proxies.md lists the Apache, mod_auth_openidc and oidc-provider versions this run used', () => {
    expectDocsListVersion('Apache httpd', apache.version);
    expectDocsListVersion('mod_auth_openidc', modAuthOpenidcVersion());
    expectDocsListVersion('oidc-provider', oidcProviderVersion());
  });
});

const FILE: Record<'unix' | 'mtls', string> = { unix: 'httpd-unix.conf.template', mtls: 'httpd-mtls.conf.template' };
const VARIANT_NAME: Record<'unix' | 'mtls', string> = { unix: 'the gateway\'s Unix socket', mtls: 'mutual TLS' };
/** The proxy's client certificate, cut out of the mTLS httpd.conf. */
const CLIENT_CERT_LINE = /\nSSLProxyMachineCertificateFile "\{\{PROXY_CERT_AND_KEY\}\}"\n/;

for (const kind of ['unix', 'mtls'] as const) {
  describe.skipIf(!apacheBin || !oidcModule)(`Apache + mod_auth_openidc recipe over ${VARIANT_NAME[kind]} (${FILE[kind]}, ${VARIANT_CONFIG[kind]})`, () => {
    let transport: RecipeTransport;
    let idp: RunningOidcProvider;
    let apache: RunningApache;
    let setup: ProxySetup;
    let port: number;
    let straightPort: number;
    let oidc: { issuer: string; clientId: string; clientSecret: string };
    const logins: Partial<Record<'alice' | 'mallory', LoginResult>> = {};

    beforeAll(async () => {
      // Apache started as root runs its workers as www-data, the recipe's group.
      transport = await startRecipeTransport(kind, recipeGatewayConfig(APACHE_RECIPE_DIR, VARIANT_CONFIG[kind]), { socketGroup: process.getuid?.() === 0 ? undefined : null });
      port = await freePort();
      straightPort = await freePort();
      const client = { client_id: 'mayros-gateway', client_secret: randomBytes(24).toString('hex'), redirect_uris: [apacheRedirectUri(port), apacheRedirectUri(straightPort)] };
      idp = await startOidcProvider({ client, accounts: { alice: { email: USERS.alice, groups: GROUPS.alice }, mallory: USERS.mallory } });
      oidc = { issuer: idp.issuer, clientId: client.client_id, clientSecret: client.client_secret };
      apache = await startApache({ gateway: transport.viaTap, file: FILE[kind], port, oidc });
      for (const who of ['alice', 'mallory'] as const) {
        logins[who] = await oidcBrowserLogin(`${apache.url}/api/whoami`, { login: who, password: 'any password' });
      }
      setup = {
        proxyUrl: apache.url,
        identityHeader: 'x-forwarded-email',
        gatewayConfig: transport.gatewayConfig,
        tap: transport.tap,
        bypass: transport.bypass,
        ...(kind === 'mtls' && { proxyCertName: PROXY_CERT_NAME }),
        signedIn: (who) => ({ cookie: logins[who]!.jar.header(apache.url)! }),
      };
    });

    afterAll(async () => {
      await apache?.stop();
      await idp?.stop();
      await transport?.stop();
    });

    it('a scripted login ends with the gateway seeing the OIDC email', () => {
      expect(logins.alice!.response.status, logins.alice!.response.text).toBe(200);
      expect(logins.alice!.response.json).toEqual(ALICE_WHOAMI);
    });

    proxyConformance(() => setup);

    it(kind === 'unix' ? 'Apache\'s workers open the gateway\'s own socket (its mode and group), HTTP and WebSocket' : 'the gateway verifies Apache\'s own certificate, HTTP and WebSocket', async () => {
      const straight = await startApache({ gateway: transport.direct, file: FILE[kind], port: straightPort, oidc });
      try {
        const login = await oidcBrowserLogin(`${straight.url}/api/whoami`, { login: 'alice', password: 'any password' });
        expect(login.response.status, `${login.response.text}\n${straight.errorLog()}`).toBe(200);
        expect(login.response.json).toEqual(ALICE_WHOAMI);
        const o = await wsAttempt(`${straight.url.replace(/^http/, 'ws')}/`, { headers: { cookie: login.jar.header(straight.url)! } });
        expect(o, JSON.stringify(o)).toMatchObject({ kind: 'hello', identity: { user: USERS.alice } });
      } finally {
        await straight.stop();
      }
    });

    if (kind === 'mtls') {
      it('without SSLProxyMachineCertificateFile, the gateway refuses what Apache forwards: trusted_proxy_client_cert_missing', async () => {
        const variant = recipeVariant(APACHE_RECIPE_DIR, FILE.mtls, CLIENT_CERT_LINE);
        const noCert = await startApache({ gateway: transport.direct, file: FILE.mtls, templateDir: variant.dir, port: straightPort, oidc });
        try {
          const login = await oidcBrowserLogin(`${noCert.url}/api/whoami`, { login: 'alice', password: 'any password' });
          expect(login.response.status, login.response.text).toBe(401);
          expect(login.response.json?.error?.reason).toBe('trusted_proxy_client_cert_missing');
        } finally {
          await noCert.stop();
          variant.remove();
        }
      });
    }
  });
}
