/**
 * Caddy + forward_auth, end to end: the real Caddy from examples/proxies/caddy, the auth endpoint
 * stand-in, and the gateway CLI in trusted-proxy mode.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startAuthService, IDENTITY_HEADER, SESSION_COOKIE, type AuthService } from '../support/auth-service.js';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway.js';
import { CADDY_RECIPE_DIR, startCaddy, type RunningCaddy } from '../support/caddy.js';
import { requireBinary } from '../support/processes.js';
import { USERS, proxyConformance, recipeGatewayConfig, type ProxySetup } from './conformance.js';
import { expectDocsListVersion } from './docs-version.js';

const caddyBin = requireBinary('caddy');

describe.skipIf(!caddyBin)('Caddy + forward_auth recipe', () => {
  let auth: AuthService;
  let gateway: GatewayProcess;
  let caddy: RunningCaddy;
  let setup: ProxySetup;

  beforeAll(async () => {
    auth = await startAuthService({
      users: { 'sid-alice': USERS.alice, 'sid-mallory': USERS.mallory },
      headerlessSessions: ['sid-headerless'],
    });
    gateway = await startGatewayProcess({ config: recipeGatewayConfig(CADDY_RECIPE_DIR) });
    caddy = await startCaddy({ gatewayPort: gateway.port, authPort: auth.port });
    setup = {
      proxyUrl: caddy.url,
      gatewayUrl: gateway.url,
      identityHeader: IDENTITY_HEADER,
      // Cookies here (nginx's suite uses the session header): forward_auth must pass both on.
      signedIn: (who) => ({ cookie: `${SESSION_COOKIE}=sid-${who}` }),
      signedInWithoutIdentity: () => ({ cookie: `${SESSION_COOKIE}=sid-headerless` }),
    };
  });

  afterAll(async () => {
    await caddy?.stop();
    await gateway?.stop();
    await auth?.stop();
  });

  proxyConformance(() => setup, { headerless: true });

  it('docs/proxies.md lists the Caddy version this run used', () => {
    expectDocsListVersion('Caddy', caddy.version);
  });
});
