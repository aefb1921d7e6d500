/**
 * nginx + auth_request, end to end: the real nginx from examples/proxies/nginx, the auth endpoint
 * stand-in, a header tap on nginx's upstream hop, and the gateway CLI in trusted-proxy mode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthService, SESSION_HEADER } from '../support/auth-service.js';
import { startGatewayProcess } from '../support/gateway-process.js';
import { NGINX_RECIPE_DIR, startNginx, type RunningNginx } from '../support/nginx.js';
import { requireBinary } from '../support/processes.js';
import { ALICE_WHOAMI, USERS, proxyConformance, recipeGatewayConfig } from './conformance.js';
import { expectDocsListVersion } from '../support/docs-version.js';
import { startProxySuite, type ProxySuite } from '../support/proxy-suite.js';
import { expectDeepSeesProxySignIn, recipeVariant } from '../support/recipe-variant.js';
import { nginxWorkerGroup, VARIANT_CONFIG } from '../support/recipe-transport.js';
import { httpRequest } from '../support/http-client.js';
import { wsAttempt } from '../support/ws-client.js';

const nginxBin = requireBinary('nginx');
const HEALTH_ROUTE = /\n {4}# Health and readiness, open to anyone[\s\S]*?\n {4}\}\n/;

describe.skipIf(!nginxBin)('nginx + auth_request recipe', () => {
  let suite: ProxySuite<RunningNginx>;

  beforeAll(async () => {
    suite = await startProxySuite({
      kind: 'tcp',
      config: recipeGatewayConfig(NGINX_RECIPE_DIR),
      startProxy: (authPort, gateway) => startNginx({ authPort, gateway }),
      session: 'header',
    });
  });

  afterAll(async () => {
    await suite?.stop();
  });

  proxyConformance(() => suite.setup, { headerless: true });

  it('without the recipe\'s open health route, --deep says it reached nginx asking for sign-in, and what to open', async () => {
    const variant = recipeVariant(NGINX_RECIPE_DIR, 'mayros-site.conf.template', HEALTH_ROUTE, ['nginx.conf.template']);
    const protectedNginx = await startNginx({ gatewayPort: suite.transport.gateway.port, authPort: suite.auth.port, templateDir: variant.dir });
    try {
      await expectDeepSeesProxySignIn(protectedNginx.url, [401], 'nginx/');
    } finally {
      await protectedNginx.stop();
      variant.remove();
    }
  });

  it('docs/proxies.md lists the nginx version this run used', () => {
    expectDocsListVersion('nginx', suite.proxy.version);
  });
});

describe.skipIf(!nginxBin)('nginx in front of a password-mode gateway that does not list it', () => {
  it('--deep through nginx: forwarded requests arrive from an address the gateway does not trust', async () => {
    const password = 'nginx-unlisted-proxy-password-0123';
    // The lockout case of issue 12: a same-host proxy, trustedProxies empty.
    const gw = await startGatewayProcess({ config: { gateway: { auth: { mode: 'password' } } }, env: { MAYROS_GATEWAY_PASSWORD: password } });
    const auth = await startAuthService({ users: {} });
    const proxy = await startNginx({ gatewayPort: gw.port, authPort: auth.port });
    try {
      const { probeGateway } = await import('../../src/security/probe.js');
      const f = await probeGateway({ url: proxy.url, expectedMode: 'password' });
      expect(f.map((x) => `${x.checkId}:${x.severity}`), JSON.stringify(f, null, 2)).toEqual(['gateway.deep_forwarded_untrusted:warn', 'gateway.deep_ok:info']);
      expect(f[0]!.detail).toContain('gateway.trustedProxies does not list');
      expect(JSON.stringify(f)).not.toContain(password);
    } finally {
      await proxy.stop();
      await auth.stop();
      await gw.stop();
    }
  });
});

const SITE: Record<'unix' | 'mtls', string> = { unix: 'mayros-site-unix.conf.template', mtls: 'mayros-site-mtls.conf.template' };
const VARIANT_NAME: Record<'unix' | 'mtls', string> = { unix: 'the gateway\'s Unix socket', mtls: 'mutual TLS' };
/** The proxy's client certificate, cut out of the mTLS site: a variant that shows what those lines are for. */
const CLIENT_CERT_LINES = /\n {4}proxy_ssl_certificate \{\{PROXY_CERT\}\};\n {4}proxy_ssl_certificate_key \{\{PROXY_KEY\}\};\n/;

for (const kind of ['unix', 'mtls'] as const) {
  describe.skipIf(!nginxBin)(`nginx + auth_request recipe over ${VARIANT_NAME[kind]} (${SITE[kind]}, ${VARIANT_CONFIG[kind]})`, () => {
    let suite: ProxySuite<RunningNginx>;

    beforeAll(async () => {
      suite = await startProxySuite({
        kind,
        config: recipeGatewayConfig(NGINX_RECIPE_DIR, VARIANT_CONFIG[kind]),
        transport: { socketGroup: nginxWorkerGroup() },
        startProxy: (authPort, gateway) => startNginx({ authPort, site: SITE[kind], gateway }),
        session: 'header',
      });
    });

    afterAll(async () => {
      await suite?.stop();
    });

    proxyConformance(() => suite.setup, { headerless: true });

    it(kind === 'unix' ? 'nginx\'s workers open the gateway\'s own socket (its mode and group), HTTP and WebSocket' : 'the gateway verifies nginx\'s own certificate, HTTP and WebSocket', async () => {
      const straight = await startNginx({ authPort: suite.auth.port, site: SITE[kind], gateway: suite.transport.direct });
      try {
        const r = await httpRequest(`${straight.url}/api/whoami`, { headers: { [SESSION_HEADER]: 'sid-alice' } });
        expect(r.status, `${r.text}\n${straight.errorLog()}`).toBe(200);
        expect(r.json).toEqual(ALICE_WHOAMI);
        const o = await wsAttempt(`${straight.url.replace(/^http/, 'ws')}/`, { headers: { [SESSION_HEADER]: 'sid-alice' } });
        expect(o, JSON.stringify(o)).toMatchObject({ kind: 'hello', identity: { user: USERS.alice } });
      } finally {
        await straight.stop();
      }
    });

    if (kind === 'mtls') {
      it('without proxy_ssl_certificate, the gateway refuses what nginx forwards: trusted_proxy_client_cert_missing', async () => {
        const variant = recipeVariant(NGINX_RECIPE_DIR, SITE.mtls, CLIENT_CERT_LINES, ['nginx.conf.template']);
        const noCert = await startNginx({ authPort: suite.auth.port, site: SITE.mtls, templateDir: variant.dir, gateway: suite.transport.direct });
        try {
          const r = await httpRequest(`${noCert.url}/api/whoami`, { headers: { [SESSION_HEADER]: 'sid-alice' } });
          expect(r.status, r.text).toBe(401);
          expect(r.json?.error?.reason).toBe('trusted_proxy_client_cert_missing');
        } finally {
          await noCert.stop();
          variant.remove();
        }
      });
    }
  });
}
