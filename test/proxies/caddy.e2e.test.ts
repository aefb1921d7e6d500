/**
 * Caddy + forward_auth, end to end: the real Caddy from examples/proxies/caddy, the auth endpoint
 * stand-in, a header tap on Caddy's upstream hop, and the gateway CLI in trusted-proxy mode.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startAuthService, IDENTITY_HEADER, SESSION_COOKIE, type AuthService } from '../support/auth-service.js';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { startHeaderTap, type HeaderTap } from '../support/header-tap.js';
import { CADDY_RECIPE_DIR, startCaddy, type RunningCaddy } from '../support/caddy.js';
import { requireBinary } from '../support/processes.js';
import { GROUPS, USERS, proxyConformance, recipeGatewayConfig, type ProxySetup } from './conformance.js';
import { expectDocsListVersion } from '../support/docs-version.js';
import { expectDeepSeesProxySignIn, recipeVariant } from '../support/recipe-variant.js';

const caddyBin = requireBinary('caddy');
const HEALTH_ROUTE = /\n\t\t# Health and readiness, open to anyone[\s\S]*?\n\t\t\}\n/;

describe.skipIf(!caddyBin)('Caddy + forward_auth recipe', () => {
  let auth: AuthService;
  let gateway: GatewayProcess;
  let tap: HeaderTap;
  let caddy: RunningCaddy;
  let setup: ProxySetup;
  const config = recipeGatewayConfig(CADDY_RECIPE_DIR);

  beforeAll(async () => {
    auth = await startAuthService({
      users: { 'sid-alice': { email: USERS.alice, groups: GROUPS.alice }, 'sid-mallory': USERS.mallory },
      headerlessSessions: ['sid-headerless'],
    });
    gateway = await startGatewayProcess({ config });
    tap = await startHeaderTap({ upstreamPort: gateway.port });
    caddy = await startCaddy({ gatewayPort: tap.port, authPort: auth.port });
    setup = {
      proxyUrl: caddy.url,
      gatewayUrl: gateway.url,
      identityHeader: IDENTITY_HEADER,
      gatewayConfig: config,
      tap,
      // Cookies here (nginx's suite uses the session header): forward_auth must pass both on.
      signedIn: (who) => ({ cookie: `${SESSION_COOKIE}=sid-${who}` }),
      signedInWithoutIdentity: () => ({ cookie: `${SESSION_COOKIE}=sid-headerless` }),
    };
  });

  afterAll(async () => {
    await caddy?.stop();
    await tap?.stop();
    await gateway?.stop();
    await auth?.stop();
  });

  proxyConformance(() => setup, { headerless: true });

  it('without the recipe\'s open health route, --deep says it reached Caddy asking for sign-in, and what to open', async () => {
    const variant = recipeVariant(CADDY_RECIPE_DIR, 'Caddyfile.template', HEALTH_ROUTE);
    const protectedCaddy = await startCaddy({ gatewayPort: gateway.port, authPort: auth.port, templateDir: variant.dir });
    try {
      await expectDeepSeesProxySignIn(protectedCaddy.url, [401], 'Caddy');
    } finally {
      await protectedCaddy.stop();
      variant.remove();
    }
  });

  it('docs/proxies.md lists the Caddy version this run used', () => {
    expectDocsListVersion('Caddy', caddy.version);
  });
});
