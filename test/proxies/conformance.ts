/**
 * The suite every proxy recipe must pass (hono runs one suite over every router; we run one over
 * every proxy). A recipe's test file starts the real proxy and the gateway, then calls
 * `proxyConformance` with a getter for the running setup.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { httpRequest, wsConnect, type Headers, type HttpResult, type WsOutcome } from '../support/client.js';

/** The people in every proxy suite. */
export const USERS = {
  /** Signs in and is in allowUsers. */
  alice: 'alice@example.com',
  /** Signs in and is not in allowUsers. */
  mallory: 'mallory@example.com',
  /** In allowUsers, and never signs in: the identity a forger wants. */
  admin: 'admin@example.com',
} as const;

export const ALLOW_USERS = [USERS.alice, USERS.admin];

/** What a recipe's test hands to the shared suite. */
export interface ProxySetup {
  /** The proxy, e.g. http://127.0.0.1:41234 */
  proxyUrl: string;
  /** The gateway itself, bypassing the proxy. */
  gatewayUrl: string;
  /** The header the proxy sets and the gateway reads (gateway.auth.trustedProxy.userHeader). */
  identityHeader: string;
  /** Request headers (a cookie or a session header) that make the proxy see this person signed in. */
  signedIn(who: 'alice' | 'mallory'): Headers;
  /**
   * Headers of a session the auth endpoint accepts (2xx) without naming a user, where the recipe's
   * auth step can produce one (auth_request, forward_auth).
   */
  signedInWithoutIdentity?(): Headers;
}

export interface ConformanceOptions {
  /** Run the "accepted without an identity" case (needs setup.signedInWithoutIdentity). */
  headerless?: boolean;
}

/**
 * The recipe's mayros.json with the suite's allowUsers. Everything else (mode, trustedProxies,
 * userHeader) is the file as shipped; the port comes from `--port 0`.
 */
export function recipeGatewayConfig(recipeDir: string): { gateway: Record<string, any> } {
  const config = JSON.parse(readFileSync(join(recipeDir, 'mayros.json'), 'utf8')) as { gateway: Record<string, any> };
  config.gateway.auth.trustedProxy.allowUsers = [...ALLOW_USERS];
  return config;
}

const ws = (httpUrl: string) => httpUrl.replace(/^http/, 'ws') + '/';

function expectStoppedByProxy(r: HttpResult, what: string): void {
  // 401 from an auth_request/forward_auth proxy, or a redirect to the identity provider.
  expect([401, 302, 303, 307], `${what}: status ${r.status} ${r.body.slice(0, 200)}`).toContain(r.status);
  // The gateway's refusals are JSON with error.reason; the proxy's are not.
  expect(r.json?.error?.reason, `${what}: the gateway answered, so the proxy let it through`).toBeUndefined();
}

function expectWsStoppedByProxy(o: WsOutcome): void {
  expect(o.kind, JSON.stringify(o)).toBe('rejected');
  if (o.kind === 'rejected') expect([401, 302, 303, 307]).toContain(o.status);
}

function expectWsClosedWith(o: WsOutcome, reason: string): void {
  expect(o, JSON.stringify(o)).toMatchObject({ kind: 'closed', code: 1008, reason });
}

/** Spoofing attempts a client may make on the identity header. */
function forgeries(header: string): Array<[string, Headers]> {
  const canonical = header.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase());
  return [
    ['the header once', { [header]: USERS.admin }],
    ['the header twice', { [canonical]: [USERS.admin, USERS.admin] }],
    ['an underscore spelling', { [header.replace(/-/g, '_')]: USERS.admin }],
  ];
}

/** Registers the shared tests. Call inside a describe whose beforeAll fills the setup. */
export function proxyConformance(get: () => ProxySetup, options: ConformanceOptions = {}): void {
  it('an authenticated user reaches /api/whoami through the proxy with the proxy-set identity', async () => {
    const s = get();
    const r = await httpRequest(`${s.proxyUrl}/api/whoami`, { headers: s.signedIn('alice') });
    expect(r.status, r.body).toBe(200);
    expect(r.json).toEqual({ user: USERS.alice, method: 'trusted-proxy', groups: [] });
  });

  it('an authenticated user completes the WebSocket connect through the proxy', async () => {
    const s = get();
    const o = await wsConnect(ws(s.proxyUrl), { headers: s.signedIn('alice') });
    expect(o, JSON.stringify(o)).toMatchObject({ kind: 'hello', identity: { user: USERS.alice, method: 'trusted-proxy' } });
  });

  it('a browser WebSocket from the proxy\'s own origin is accepted (the proxy passes the host on)', async () => {
    const s = get();
    const o = await wsConnect(ws(s.proxyUrl), { headers: { ...s.signedIn('alice'), origin: s.proxyUrl } });
    expect(o, JSON.stringify(o)).toMatchObject({ kind: 'hello', identity: { user: USERS.alice } });
  });

  it('a forged X-Forwarded-Host does not let a foreign origin open a WebSocket', async () => {
    const s = get();
    const headers = { ...s.signedIn('alice'), origin: 'http://evil.example', 'x-forwarded-host': 'evil.example' };
    expectWsClosedWith(await wsConnect(ws(s.proxyUrl), { headers }), 'origin_not_allowed');
  });

  it('an unauthenticated request is stopped by the proxy, with or without a forged identity header', async () => {
    const s = get();
    expectStoppedByProxy(await httpRequest(`${s.proxyUrl}/api/whoami`), 'no credentials');
    expectStoppedByProxy(await httpRequest(`${s.proxyUrl}/api/whoami`, { headers: { [s.identityHeader]: USERS.admin } }), 'forged header only');
    expectWsStoppedByProxy(await wsConnect(ws(s.proxyUrl)));
    expectWsStoppedByProxy(await wsConnect(ws(s.proxyUrl), { headers: { [s.identityHeader]: USERS.admin } }));
  });

  it('a signed-in client cannot choose its identity by sending the identity header itself', async () => {
    const s = get();
    for (const [what, forged] of forgeries(s.identityHeader)) {
      const headers = { ...forged, ...s.signedIn('alice') };
      const r = await httpRequest(`${s.proxyUrl}/api/whoami`, { headers });
      // The proxy's value must win; a refusal would also be safe, a forged identity never is.
      expect(r.json?.user, `${what}: ${r.status} ${r.body}`).not.toBe(USERS.admin);
      expect(r.status, `${what}: ${r.body}`).toBe(200);
      expect(r.json, what).toEqual({ user: USERS.alice, method: 'trusted-proxy', groups: [] });
      const o = await wsConnect(ws(s.proxyUrl), { headers });
      expect(o, `${what}: ${JSON.stringify(o)}`).toMatchObject({ kind: 'hello', identity: { user: USERS.alice } });
    }
  });

  it('a signed-in user outside allowUsers gets trusted_proxy_user_not_allowed through the proxy', async () => {
    const s = get();
    const r = await httpRequest(`${s.proxyUrl}/api/whoami`, { headers: s.signedIn('mallory') });
    expect(r.status, r.body).toBe(403);
    expect(r.json?.error?.reason).toBe('trusted_proxy_user_not_allowed');
    expectWsClosedWith(await wsConnect(ws(s.proxyUrl), { headers: s.signedIn('mallory') }), 'trusted_proxy_user_not_allowed');
    // Nor can mallory borrow an allowed identity.
    const forged = await httpRequest(`${s.proxyUrl}/api/whoami`, { headers: { [s.identityHeader]: USERS.admin, ...s.signedIn('mallory') } });
    expect(forged.json?.error?.reason, forged.body).toBe('trusted_proxy_user_not_allowed');
  });

  it('the gateway reached directly from 127.0.0.2 refuses with trusted_proxy_untrusted_source', async () => {
    const s = get();
    const headers = { [s.identityHeader]: USERS.alice };
    const r = await httpRequest(`${s.gatewayUrl}/api/whoami`, { headers, localAddress: '127.0.0.2' });
    expect(r.status, r.body).toBe(401);
    expect(r.json?.error?.reason).toBe('trusted_proxy_untrusted_source');
    expectWsClosedWith(await wsConnect(ws(s.gatewayUrl), { headers, localAddress: '127.0.0.2' }), 'trusted_proxy_untrusted_source');
  });

  if (options.headerless) {
    it('an auth answer without an identity reaches the gateway with none, never the client\'s', async () => {
      const s = get();
      const headers = { [s.identityHeader]: USERS.admin, ...s.signedInWithoutIdentity!() };
      const r = await httpRequest(`${s.proxyUrl}/api/whoami`, { headers });
      expect(r.status, r.body).toBe(401);
      expect(r.json?.error?.reason).toBe('trusted_proxy_user_missing');
      expectWsClosedWith(await wsConnect(ws(s.proxyUrl), { headers }), 'trusted_proxy_user_missing');
    });
  }
}
