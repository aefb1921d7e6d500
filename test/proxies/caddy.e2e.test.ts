/**
 * Caddy + forward_auth, end to end: the real Caddy from examples/proxies/caddy, the auth endpoint
 * stand-in, a header tap on Caddy's upstream hop, and the gateway CLI in trusted-proxy mode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../support/auth-service.js';
import { CADDY_RECIPE_DIR, startCaddy, type RunningCaddy } from '../support/caddy.js';
import { requireBinary } from '../support/processes.js';
import { ALICE_WHOAMI, USERS, proxyConformance, recipeGatewayConfig } from './conformance.js';
import { expectDocsListVersion } from '../support/docs-version.js';
import { startProxySuite, type ProxySuite } from '../support/proxy-suite.js';
import { expectDeepSeesProxySignIn, recipeVariant } from '../support/recipe-variant.js';
import { VARIANT_CONFIG } from '../support/recipe-transport.js';
import { httpRequest } from '../support/http-client.js';
import { wsAttempt } from '../support/ws-client.js';

const caddyBin = requireBinary('caddy');
const HEALTH_ROUTE = /\n\t\t# Health and readiness, open to anyone[\s\S]*?\n\t\t\}\n/;

describe.skipIf(!caddyBin)('Caddy + forward_auth recipe', () => {
  let suite: ProxySuite<RunningCaddy>;

  beforeAll(async () => {
    suite = await startProxySuite({
      kind: 'tcp',
      config: recipeGatewayConfig(CADDY_RECIPE_DIR),
      startProxy: (authPort, gateway) => startCaddy({ authPort, gateway }),
      // Cookies here (nginx's suite uses the session header): forward_auth must pass both on.
      session: 'cookie',
    });
  });

  afterAll(async () => {
    await suite?.stop();
  });

  proxyConformance(() => suite.setup, { headerless: true });

  it('without the recipe\'s open health route, --deep says it reached Caddy asking for sign-in, and what to open', async () => {
    const variant = recipeVariant(CADDY_RECIPE_DIR, 'Caddyfile.template', HEALTH_ROUTE);
    const protectedCaddy = await startCaddy({ gatewayPort: suite.transport.gateway.port, authPort: suite.auth.port, templateDir: variant.dir });
    try {
      await expectDeepSeesProxySignIn(protectedCaddy.url, [401], 'Caddy');
    } finally {
      await protectedCaddy.stop();
      variant.remove();
    }
  });

  it('docs/proxies.md lists the Caddy version this run used', () => {
    expectDocsListVersion('Caddy', suite.proxy.version);
  });
});

const FILE: Record<'unix' | 'mtls', string> = { unix: 'Caddyfile-unix.template', mtls: 'Caddyfile-mtls.template' };
const VARIANT_NAME: Record<'unix' | 'mtls', string> = { unix: 'the gateway\'s Unix socket', mtls: 'mutual TLS' };
/** The proxy's client certificate, cut out of both reverse_proxy transports of the mTLS Caddyfile. */
const CLIENT_CERT_LINES = /\n\t+tls_client_auth \{\{PROXY_CERT\}\} \{\{PROXY_KEY\}\}\n/g;

for (const kind of ['unix', 'mtls'] as const) {
  describe.skipIf(!caddyBin)(`Caddy + forward_auth recipe over ${VARIANT_NAME[kind]} (${FILE[kind]}, ${VARIANT_CONFIG[kind]})`, () => {
    let suite: ProxySuite<RunningCaddy>;

    beforeAll(async () => {
      suite = await startProxySuite({
        kind,
        // Caddy runs as this test's user, who owns the socket; the recipe's group (caddy) is kept.
        config: recipeGatewayConfig(CADDY_RECIPE_DIR, VARIANT_CONFIG[kind]),
        startProxy: (authPort, gateway) => startCaddy({ authPort, file: FILE[kind], gateway }),
        session: 'cookie',
      });
    });

    afterAll(async () => {
      await suite?.stop();
    });

    proxyConformance(() => suite.setup, { headerless: true });

    it(kind === 'unix' ? 'Caddy opens the gateway\'s own socket, HTTP and WebSocket' : 'the gateway verifies Caddy\'s own certificate, HTTP and WebSocket', async () => {
      const straight = await startCaddy({ authPort: suite.auth.port, file: FILE[kind], gateway: suite.transport.direct });
      try {
        const r = await httpRequest(`${straight.url}/api/whoami`, { headers: { cookie: `${SESSION_COOKIE}=sid-alice` } });
        expect(r.status, `${r.text}\n${straight.log()}`).toBe(200);
        expect(r.json).toEqual(ALICE_WHOAMI);
        const o = await wsAttempt(`${straight.url.replace(/^http/, 'ws')}/`, { headers: { cookie: `${SESSION_COOKIE}=sid-alice` } });
        expect(o, JSON.stringify(o)).toMatchObject({ kind: 'hello', identity: { user: USERS.alice } });
      } finally {
        await straight.stop();
      }
    });

    if (kind === 'mtls') {
      it('without tls_client_auth, the gateway refuses what Caddy forwards: trusted_proxy_client_cert_missing', async () => {
        const variant = recipeVariant(CADDY_RECIPE_DIR, FILE.mtls, CLIENT_CERT_LINES);
        const noCert = await startCaddy({ authPort: suite.auth.port, file: FILE.mtls, templateDir: variant.dir, gateway: suite.transport.direct });
        try {
          const r = await httpRequest(`${noCert.url}/api/whoami`, { headers: { cookie: `${SESSION_COOKIE}=sid-alice` } });
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
