/**
 * nginx + auth_request, end to end: the real nginx from examples/proxies/nginx, the auth endpoint
 * stand-in, a header tap on nginx's upstream hop, and the gateway CLI in trusted-proxy mode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthService, IDENTITY_HEADER, SESSION_HEADER, type AuthService } from '../support/auth-service.js';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { startHeaderTap, type HeaderTap } from '../support/header-tap.js';
import { NGINX_RECIPE_DIR, startNginx, type RunningNginx } from '../support/nginx.js';
import { requireBinary } from '../support/processes.js';
import { GROUPS, USERS, proxyConformance, recipeGatewayConfig, type ProxySetup } from './conformance.js';
import { expectDocsListVersion } from '../support/docs-version.js';
import { expectDeepSeesProxySignIn, recipeVariant } from '../support/recipe-variant.js';

const nginxBin = requireBinary('nginx');
const HEALTH_ROUTE = /\n {4}# Health and readiness, open to anyone[\s\S]*?\n {4}\}\n/;

describe.skipIf(!nginxBin)('nginx + auth_request recipe', () => {
  let auth: AuthService;
  let gateway: GatewayProcess;
  let tap: HeaderTap;
  let nginx: RunningNginx;
  let setup: ProxySetup;
  const config = recipeGatewayConfig(NGINX_RECIPE_DIR);

  beforeAll(async () => {
    auth = await startAuthService({
      users: { 'sid-alice': { email: USERS.alice, groups: GROUPS.alice }, 'sid-mallory': USERS.mallory },
      headerlessSessions: ['sid-headerless'],
    });
    gateway = await startGatewayProcess({ config });
    tap = await startHeaderTap({ upstreamPort: gateway.port });
    nginx = await startNginx({ gatewayPort: tap.port, authPort: auth.port });
    setup = {
      proxyUrl: nginx.url,
      gatewayUrl: gateway.url,
      identityHeader: IDENTITY_HEADER,
      gatewayConfig: config,
      tap,
      signedIn: (who) => ({ [SESSION_HEADER]: `sid-${who}` }),
      signedInWithoutIdentity: () => ({ [SESSION_HEADER]: 'sid-headerless' }),
    };
  });

  afterAll(async () => {
    await nginx?.stop();
    await tap?.stop();
    await gateway?.stop();
    await auth?.stop();
  });

  proxyConformance(() => setup, { headerless: true });

  it('without the recipe\'s open health route, --deep says it reached nginx asking for sign-in, and what to open', async () => {
    const variant = recipeVariant(NGINX_RECIPE_DIR, 'mayros-site.conf.template', HEALTH_ROUTE, ['nginx.conf.template']);
    const protectedNginx = await startNginx({ gatewayPort: gateway.port, authPort: auth.port, templateDir: variant.dir });
    try {
      await expectDeepSeesProxySignIn(protectedNginx.url, [401], 'nginx/');
    } finally {
      await protectedNginx.stop();
      variant.remove();
    }
  });

  it('docs/proxies.md lists the nginx version this run used', () => {
    expectDocsListVersion('nginx', nginx.version);
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
