/**
 * The suite every proxy recipe must pass (hono runs one suite over every router; we run one over
 * every proxy). A recipe's test file starts the gateway, a header tap in front of it, and the real
 * proxy pointed at the tap (test/support/proxy-suite.ts does it for a recipe with an auth step),
 * then calls `proxyConformance` with a getter for the running setup.
 * The tap records exactly what the gateway receives, so the suite can prove that no header the
 * gateway believes ever carries a value the client made up.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { parseConfigObject } from '../../src/config/parse.js';
import { proxyDecisionHeaders } from '../../src/security/proxy-headers.js';
import { probeGateway } from '../../src/security/probe.js';
import { httpRequest, type Headers, type HttpResult } from '../support/http-client.js';
import { wsAttempt, type WsOutcome } from '../support/ws-client.js';
import { headerValues, type HeaderTap } from '../support/header-tap.js';
import type { DirectCheck } from '../support/recipe-transport.js';

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

/** The groups the sign-in answer gives each person: alice has one, mallory none (no groups header at all). */
export const GROUPS = { alice: ['staff'], mallory: [] as string[] } as const;

/**
 * What /api/whoami answers alice through any recipe: the proxy's user and groups, and the scopes
 * every admitted person gets in trusted-proxy mode without an authorization section (read and
 * write, never admin).
 */
export const ALICE_WHOAMI = Object.freeze({ user: USERS.alice, method: 'trusted-proxy', groups: [...GROUPS.alice], scopes: ['operator.read', 'operator.write'] });

/** The group a forger wants: listed in allowGroups, and nobody really has it. */
export const ADMIN_GROUP = 'admins';

/**
 * Forwarding headers the gateway reads from a trusted proxy besides the decision's own: the
 * client address (the failure limiter, the logs) and the host (the browser origin check).
 */
export const FORWARDING_HEADERS_READ = ['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto'] as const;

/** What a recipe's test hands to the shared suite. */
export interface ProxySetup {
  /** The proxy, e.g. http://127.0.0.1:41234 */
  proxyUrl: string;
  /** The gateway itself, bypassing the proxy (TCP recipes: a request from 127.0.0.2 is refused). */
  gatewayUrl?: string;
  /**
   * Requests that bypass the proxy and what must come of them, for a recipe variant whose gateway
   * is reached another way (the Unix socket, mutual TLS); default: from 127.0.0.2 to gatewayUrl.
   */
  bypass?: DirectCheck[];
  /** Over mutual TLS: the CN of the client certificate the proxy must present on every request. */
  proxyCertName?: string;
  /** The header the proxy sets and the gateway reads (gateway.auth.trustedProxy.userHeader). */
  identityHeader: string;
  /** The gateway config in use (the recipe's mayros.json as `recipeGatewayConfig` adjusted it). */
  gatewayConfig: object;
  /** The relay between the proxy and the gateway, recording every request head the gateway gets. */
  tap: HeaderTap;
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
 * The recipe's mayros.json (or a variant's file, e.g. mayros-unix.json) with the suite's
 * allowUsers, and allowGroups [ADMIN_GROUP] (so that a forged group would admit someone).
 * Everything else (mode, trustedProxies, userHeader, groupsHeader, requiredHeaders, the socket, the
 * client certificate names) is the file as shipped; the port comes from `--port 0`, and
 * recipe-transport.ts fits a variant's socket path and certificate files to the machine.
 */
export function recipeGatewayConfig(recipeDir: string, file = 'mayros.json'): { gateway: Record<string, any> } {
  const config = JSON.parse(readFileSync(join(recipeDir, file), 'utf8')) as { gateway: Record<string, any> };
  config.gateway.auth.trustedProxy.allowUsers = [...ALLOW_USERS];
  if (config.gateway.auth.trustedProxy.groupsHeader) config.gateway.auth.trustedProxy.allowGroups = [ADMIN_GROUP];
  return config;
}

/** Every header the gateway believes from the proxy under `config`, and the forwarding headers it reads. */
export function headersTheGatewayReads(config: object): string[] {
  const decision = proxyDecisionHeaders(parseConfigObject(config)).map((h) => h.name);
  return [...new Set([...decision, ...FORWARDING_HEADERS_READ])];
}

/** "X-Auth-Request-Email" for "x-auth-request-email". */
export function canonical(header: string): string {
  return header.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase());
}

const ws = (httpUrl: string) => httpUrl.replace(/^http/, 'ws') + '/';

function expectStoppedByProxy(r: HttpResult, what: string): void {
  // 401 from an auth_request/forward_auth proxy, or a redirect to the identity provider.
  expect([401, 302, 303, 307], `${what}: status ${r.status} ${r.text.slice(0, 200)}`).toContain(r.status);
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
  return [
    ['the header once', { [header]: USERS.admin }],
    ['the header twice', { [canonical(header)]: [USERS.admin, USERS.admin] }],
    ['an underscore spelling', { [header.replace(/-/g, '_')]: USERS.admin }],
  ];
}

/** A value no proxy would ever produce, unique to one probe. */
function marker(): string {
  return `forged-${randomBytes(6).toString('hex')}`;
}

/**
 * Expects exactly one request head at the tap for `probe`, with no value of any header the
 * gateway reads containing `forged`. Returns that head's values of each header, for messages.
 */
function expectNoForgedValue(s: ProxySetup, probe: string, forged: string, what: string): void {
  const seen = s.tap.requestsFor(probe);
  expect(seen, `${what}: the request should reach the gateway exactly once`).toHaveLength(1);
  for (const name of headersTheGatewayReads(s.gatewayConfig)) {
    const values = headerValues(seen[0]!, name);
    expect(values.filter((v) => v.includes(forged)), `${what}: the gateway got the client's ${name}: ${JSON.stringify(seen[0]!.headers)}`).toEqual([]);
  }
}

/** Registers the shared tests. Call inside a describe whose beforeAll fills the setup. */
export function proxyConformance(get: () => ProxySetup, options: ConformanceOptions = {}): void {
  it('an authenticated user reaches /api/whoami through the proxy with the proxy-set identity', async () => {
    const s = get();
    const r = await httpRequest(`${s.proxyUrl}/api/whoami`, { headers: s.signedIn('alice') });
    expect(r.status, r.text).toBe(200);
    expect(r.json).toEqual(ALICE_WHOAMI);
  });

  it('the gateway reads a groups header, which the proxy fills from the sign-in answer', () => {
    expect(proxyDecisionHeaders(parseConfigObject(get().gatewayConfig)).map((h) => h.role)).toContain('groups');
  });

  it('an authenticated user completes the WebSocket connect through the proxy', async () => {
    const s = get();
    const o = await wsAttempt(ws(s.proxyUrl), { headers: s.signedIn('alice') });
    expect(o, JSON.stringify(o)).toMatchObject({ kind: 'hello', identity: { user: USERS.alice, method: 'trusted-proxy' } });
  });

  it('a browser WebSocket from the proxy\'s own origin is accepted (the proxy passes the host on)', async () => {
    const s = get();
    const o = await wsAttempt(ws(s.proxyUrl), { headers: { ...s.signedIn('alice'), origin: s.proxyUrl } });
    expect(o, JSON.stringify(o)).toMatchObject({ kind: 'hello', identity: { user: USERS.alice } });
  });

  it('a forged X-Forwarded-Host does not let a foreign origin open a WebSocket', async () => {
    const s = get();
    const headers = { ...s.signedIn('alice'), origin: 'http://evil.example', 'x-forwarded-host': 'evil.example' };
    expectWsClosedWith(await wsAttempt(ws(s.proxyUrl), { headers }), 'origin_not_allowed');
  });

  it('an unauthenticated request is stopped by the proxy, with or without a forged identity header', async () => {
    const s = get();
    expectStoppedByProxy(await httpRequest(`${s.proxyUrl}/api/whoami`), 'no credentials');
    expectStoppedByProxy(await httpRequest(`${s.proxyUrl}/api/whoami`, { headers: { [s.identityHeader]: USERS.admin } }), 'forged header only');
    expectWsStoppedByProxy(await wsAttempt(ws(s.proxyUrl)));
    expectWsStoppedByProxy(await wsAttempt(ws(s.proxyUrl), { headers: { [s.identityHeader]: USERS.admin } }));
  });

  it('a signed-in client cannot choose its identity by sending the identity header itself', async () => {
    const s = get();
    for (const [what, forged] of forgeries(s.identityHeader)) {
      const headers = { ...forged, ...s.signedIn('alice') };
      const r = await httpRequest(`${s.proxyUrl}/api/whoami`, { headers });
      // The proxy's value must win; a refusal would also be safe, a forged identity never is.
      expect(r.json?.user, `${what}: ${r.status} ${r.text}`).not.toBe(USERS.admin);
      expect(r.status, `${what}: ${r.text}`).toBe(200);
      expect(r.json, what).toEqual(ALICE_WHOAMI);
      const o = await wsAttempt(ws(s.proxyUrl), { headers });
      expect(o, `${what}: ${JSON.stringify(o)}`).toMatchObject({ kind: 'hello', identity: { user: USERS.alice } });
    }
  });

  it('a signed-in client\'s own copy of any header the gateway reads never reaches it (HTTP, WebSocket, /healthz)', async () => {
    const s = get();
    const names = headersTheGatewayReads(s.gatewayConfig);
    for (const who of ['alice', 'mallory'] as const) {
      for (const name of names) {
        for (const [spelling, copies] of [[name, 1], [canonical(name), 2]] as const) {
          const forged = marker();
          const headers: Headers = { ...s.signedIn(who), [spelling]: copies === 1 ? forged : [forged, forged] };
          const what = `${who} sending ${spelling} x${copies}`;
          const probe = marker();
          await httpRequest(`${s.proxyUrl}/api/whoami?probe=${probe}`, { headers });
          expectNoForgedValue(s, probe, forged, `HTTP, ${what}`);
          const wsProbe = marker();
          await wsAttempt(`${ws(s.proxyUrl)}?probe=${wsProbe}`, { headers });
          expectNoForgedValue(s, wsProbe, forged, `WebSocket, ${what}`);
        }
      }
    }
    // The open routes, without a session: still only the proxy's values.
    for (const path of ['/healthz', '/readyz']) {
      const forged = marker();
      const probe = marker();
      const headers = Object.fromEntries(names.map((n) => [n, forged]));
      const r = await httpRequest(`${s.proxyUrl}${path}?probe=${probe}`, { headers });
      expect(r.status, `${path}: ${r.text}`).toBe(200);
      expectNoForgedValue(s, probe, forged, `${path} without a session`);
    }
  });

  it('a signed-in client cannot claim a group: the proxy\'s groups (or none) reach the gateway', async () => {
    const s = get();
    const groupsHeader = proxyDecisionHeaders(parseConfigObject(s.gatewayConfig)).find((h) => h.role === 'groups')!.name;
    for (const spelling of [groupsHeader, canonical(groupsHeader)]) {
      // mallory's sign-in answer has no groups: nothing may take their place.
      const forged = { ...s.signedIn('mallory'), [spelling]: ADMIN_GROUP };
      const r = await httpRequest(`${s.proxyUrl}/api/whoami`, { headers: forged });
      expect(r.status, `${spelling}: ${r.text}`).toBe(403);
      expect(r.json?.error?.reason).toBe('trusted_proxy_user_not_allowed');
      expectWsClosedWith(await wsAttempt(ws(s.proxyUrl), { headers: forged }), 'trusted_proxy_user_not_allowed');
      // alice's answer has groups: they replace the client's.
      const alice = await httpRequest(`${s.proxyUrl}/api/whoami`, { headers: { ...s.signedIn('alice'), [spelling]: `${ADMIN_GROUP},other` } });
      expect(alice.json, alice.text).toEqual(ALICE_WHOAMI);
    }
  });

  it('/healthz and /readyz are open: the gateway answers them through the proxy without a session', async () => {
    const s = get();
    const health = await httpRequest(`${s.proxyUrl}/healthz`);
    expect(health.status, health.text).toBe(200);
    expect(health.json).toEqual({ ok: true });
    // The proxy's forwarding headers came from a trusted address.
    expect(health.headers['x-mayros-forwarded']).toBe('trusted-proxy');
    const ready = await httpRequest(`${s.proxyUrl}/readyz`);
    expect(ready.status, ready.text).toBe(200);
    expect(ready.json).toMatchObject({ ready: true, config: { generation: 1 } });
  });

  it('security audit --deep through the proxy reaches the gateway, through a proxy it trusts, and sees the proxy stop anonymous requests', async () => {
    const s = get();
    const f = await probeGateway({ url: s.proxyUrl, expectedMode: 'trusted-proxy' });
    expect(f.map((x) => `${x.checkId}:${x.severity}`), JSON.stringify(f, null, 2)).toEqual(['gateway.deep_ok:info']);
    expect(f[0]!.detail).toContain('through a proxy it trusts');
    expect(f[0]!.detail).toMatch(/HTTP request was stopped by a proxy before the gateway \(HTTP (401|302)/);
    expect(f[0]!.detail).toMatch(/WebSocket connect was stopped by a proxy before the gateway \(HTTP (401|302)/);
  });

  it('a signed-in user outside allowUsers gets trusted_proxy_user_not_allowed through the proxy', async () => {
    const s = get();
    const r = await httpRequest(`${s.proxyUrl}/api/whoami`, { headers: s.signedIn('mallory') });
    expect(r.status, r.text).toBe(403);
    expect(r.json?.error?.reason).toBe('trusted_proxy_user_not_allowed');
    expectWsClosedWith(await wsAttempt(ws(s.proxyUrl), { headers: s.signedIn('mallory') }), 'trusted_proxy_user_not_allowed');
    // Nor can mallory borrow an allowed identity.
    const forged = await httpRequest(`${s.proxyUrl}/api/whoami`, { headers: { [s.identityHeader]: USERS.admin, ...s.signedIn('mallory') } });
    expect(forged.json?.error?.reason, forged.text).toBe('trusted_proxy_user_not_allowed');
  });

  it('the gateway reached around the proxy refuses a forged identity (HTTP and WebSocket)', async () => {
    const s = get();
    const headers = { [s.identityHeader]: USERS.alice };
    const checks: DirectCheck[] = s.bypass ?? [{ what: 'from 127.0.0.2', url: s.gatewayUrl!, localAddress: '127.0.0.2', reason: 'trusted_proxy_untrusted_source' }];
    expect(checks.length).toBeGreaterThan(0);
    for (const c of checks) {
      if ('refusedPort' in c) {
        const outcome = await httpRequest(`http://127.0.0.1:${c.refusedPort}/api/whoami`, { headers }).then((r) => `answered ${r.status}`, (e: NodeJS.ErrnoException) => e.code);
        expect(outcome, c.what).toBe('ECONNREFUSED');
        continue;
      }
      const r = await httpRequest(`${c.url}/api/whoami`, { headers, localAddress: c.localAddress, tls: c.tls });
      expect(r.status, `${c.what}: ${r.text}`).toBe(401);
      expect(r.json?.error?.reason, c.what).toBe(c.reason);
      expectWsClosedWith(await wsAttempt(ws(c.url), { headers, localAddress: c.localAddress, tls: c.tls }), c.reason);
    }
  });

  it('every request the proxy forwarded presented its client certificate (mutual TLS)', () => {
    const s = get();
    if (s.proxyCertName === undefined) return expect(s.tap.seen().every((r) => r.clientCert === undefined)).toBe(true);
    const seen = s.tap.seen();
    expect(seen.length).toBeGreaterThan(10);
    expect(seen.filter((r) => r.clientCert !== s.proxyCertName).map((r) => `${r.method} ${r.target}: ${r.clientCert}`)).toEqual([]);
  });

  if (options.headerless) {
    it('an auth answer without an identity reaches the gateway with none, never the client\'s', async () => {
      const s = get();
      const headers = { [s.identityHeader]: USERS.admin, ...s.signedInWithoutIdentity!() };
      const r = await httpRequest(`${s.proxyUrl}/api/whoami`, { headers });
      expect(r.status, r.text).toBe(401);
      expect(r.json?.error?.reason).toBe('trusted_proxy_user_missing');
      expectWsClosedWith(await wsAttempt(ws(s.proxyUrl), { headers }), 'trusted_proxy_user_missing');
    });
  }
}
