/**
 * nginx + auth_request, end to end: the real nginx from examples/proxies/nginx, the auth endpoint
 * stand-in, and the gateway CLI in trusted-proxy mode.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startAuthService, IDENTITY_HEADER, SESSION_HEADER, type AuthService } from '../support/auth-service.js';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway.js';
import { NGINX_RECIPE_DIR, startNginx, type RunningNginx } from '../support/nginx.js';
import { requireBinary } from '../support/processes.js';
import { USERS, proxyConformance, recipeGatewayConfig, type ProxySetup } from './conformance.js';
import { expectDocsListVersion } from './docs-version.js';

const nginxBin = requireBinary('nginx');

describe.skipIf(!nginxBin)('nginx + auth_request recipe', () => {
  let auth: AuthService;
  let gateway: GatewayProcess;
  let nginx: RunningNginx;
  let setup: ProxySetup;

  beforeAll(async () => {
    auth = await startAuthService({
      users: { 'sid-alice': USERS.alice, 'sid-mallory': USERS.mallory },
      headerlessSessions: ['sid-headerless'],
    });
    gateway = await startGatewayProcess({ config: recipeGatewayConfig(NGINX_RECIPE_DIR) });
    nginx = await startNginx({ gatewayPort: gateway.port, authPort: auth.port });
    setup = {
      proxyUrl: nginx.url,
      gatewayUrl: gateway.url,
      identityHeader: IDENTITY_HEADER,
      signedIn: (who) => ({ [SESSION_HEADER]: `sid-${who}` }),
      signedInWithoutIdentity: () => ({ [SESSION_HEADER]: 'sid-headerless' }),
    };
  });

  afterAll(async () => {
    await nginx?.stop();
    await gateway?.stop();
    await auth?.stop();
  });

  proxyConformance(() => setup, { headerless: true });

  it('docs/proxies.md lists the nginx version this run used', () => {
    expectDocsListVersion('nginx', nginx.version);
  });
});
