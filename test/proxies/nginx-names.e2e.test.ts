/**
 * Names through the real nginx recipe (issue 12): a UTF-8 user name passes nginx byte for byte and
 * is matched against allowUsers in NFC (item 9); and the recipe's `proxy_set_header Host
 * $http_host` passes the browser's host name on, which a loopback gateway serves only once it is
 * in gateway.allowedHosts (item 6). The shipped template, the auth stand-in, the gateway CLI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthService, SESSION_HEADER, type AuthService } from '../support/auth-service.js';
import { httpRequest } from '../support/http-client.js';
import { wsAttempt } from '../support/ws-client.js';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { NGINX_RECIPE_DIR, startNginx, type RunningNginx } from '../support/nginx.js';
import { requireBinary } from '../support/processes.js';
import { recipeGatewayConfig } from './conformance.js';
import { wireForm } from '../../src/auth/header-text.js';

const nginxBin = requireBinary('nginx');

const JUERGEN = 'jürgen@example.com';
/** The same name with "ü" as "u" + combining diaeresis (NFD), as some directories store it. */
const JUERGEN_NFD = 'ju\u0308rgen@example.com';

describe.skipIf(!nginxBin)('names through the nginx recipe', () => {
  let auth: AuthService;
  let gateway: GatewayProcess;
  let nginx: RunningNginx;
  let config: { gateway: Record<string, any> };

  beforeAll(async () => {
    auth = await startAuthService({
      // The auth endpoint answers with UTF-8 bytes, as oauth2-proxy does (Node writes header
      // strings one byte per char, so the wire form is given).
      users: { 'sid-utf8': wireForm(JUERGEN), 'sid-nfd': wireForm(JUERGEN_NFD), 'sid-latin1': 'j\xfcrgen@example.com', 'sid-other': wireForm('jörg@example.com'), 'sid-alice': 'alice@example.com' },
    });
    config = recipeGatewayConfig(NGINX_RECIPE_DIR);
    config.gateway.auth.trustedProxy.allowUsers = [JUERGEN, 'alice@example.com'];
    gateway = await startGatewayProcess({ config });
    nginx = await startNginx({ gatewayPort: gateway.port, authPort: auth.port });
  });

  afterAll(async () => {
    await nginx?.stop();
    await gateway?.stop();
    await auth?.stop();
  });

  const whoami = (sid: string, headers: Record<string, string> = {}) => httpRequest(`${nginx.url}/api/whoami`, { headers: { [SESSION_HEADER]: sid, ...headers } });

  it('admits a UTF-8 user name listed in allowUsers, over HTTP and WebSocket', async () => {
    const r = await whoami('sid-utf8');
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ user: JUERGEN, method: 'trusted-proxy', groups: [], scopes: ['operator.read', 'operator.write'] });
    const ws = await wsAttempt(`${nginx.url.replace(/^http/, 'ws')}/`, { headers: { [SESSION_HEADER]: 'sid-utf8' } });
    expect(ws).toMatchObject({ kind: 'hello', identity: { user: JUERGEN } });
  });

  it('matches the decomposed (NFD) spelling of the same name, and reports it in NFC', async () => {
    const r = await whoami('sid-nfd');
    expect(r.status).toBe(200);
    expect(r.json.user).toBe(JUERGEN);
  });

  it('refuses another non-ASCII name as not allowed, and Latin-1 bytes as not UTF-8', async () => {
    expect((await whoami('sid-other')).json.error.reason).toBe('trusted_proxy_user_not_allowed');
    const latin1 = await whoami('sid-latin1');
    expect(latin1.status).toBe(401);
    expect(latin1.json.error.reason).toBe('trusted_proxy_header_invalid_utf8');
  });

  it('sends the gateway its own address as Host: a public name needs no gateway.allowedHosts behind the recipe', async () => {
    // The browser's name travels in X-Forwarded-Host; the Host the loopback gateway checks is the
    // upstream address, so the DNS-rebinding check passes without listing the public name.
    const r = await whoami('sid-alice', { host: 'mayros.example.com' });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(r.json.user).toBe('alice@example.com');
  });
});
