/**
 * Mode conformance: ONE list of cases that every auth mode runs over real sockets, as hono runs
 * one suite (common.case.test.ts) over every router. Each mode starts one gateway, shared by all
 * of its cases. Every request case runs twice: over HTTP (GET /api/whoami) and over WebSocket
 * (the upgrade, the `connect` frame, then `whoami` on the session). A client the gateway must
 * not trust connects from 127.0.0.2; 127.0.0.1 is the configured proxy where a mode has one.
 * Whatever the case, a log line never carries a configured secret or a presented one.
 *
 * Adding a case
 * - One request, one outcome: append to REQUEST_CASES. `plan(mode)` says what the client sends
 *   and what must happen, in terms of the mode's own answers (its right credential, its refusal
 *   for a wrong one, ...), so that adding a mode needs no edit to the cases. Return undefined
 *   where the case does not apply: the test is then not registered at all (never skipped).
 * - Anything longer (a reload, methods on an open session, scopes): append to SESSION_CASES, with
 *   `applies(mode)` and `run(mode, gateway)`. `expectScopes` checks, on both surfaces, that every
 *   method and /api route (taken from the registry and the route table, so a new one is covered
 *   without an edit here) is allowed or refused with scope_missing as a list of scopes says.
 * Adding a mode: append a ModeSpec to MODES: the gateway config, who the right credential
 * admits and the scopes it gets without an authorization section, the wrong and missing credentials with their refusals (leave out what the mode has
 * not got), whether it believes only its proxies, where it decides (upgrade or connect), the
 * reload that revokes its credential, the authorization rule that makes the right credential an
 * admin (modes with user names or groups), and setup/teardown for what it needs (a key server).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../src/gateway/http/routes.js';
import { METHODS } from '../../src/methods/index.js';
import { REASONS } from '../../src/protocol/reasons.js';
import { startTestGateway, type TestGateway } from '../support/gateway-inproc.js';
import { httpRequest, type Headers, type HttpResult } from '../support/http-client.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';
import { claims, jwksOf, makeSigner, type TestSigner } from '../support/signing.js';
import { within } from '../support/wait.js';
import { CONNECT_ID, wsClient, wsConnect, type WsClient } from '../support/ws-client.js';

type Config = Record<string, any>;

interface Identity {
  user: string | null;
  method: string;
  groups: string[];
}

/** What a client presents: headers (on the request and on the upgrade) and a secret (Bearer over HTTP, `auth` in connect). */
interface Credential {
  headers?: Headers;
  auth?: { token?: string; password?: string };
}

interface Refusal {
  reason: string;
  status: 401 | 403;
}

type Outcome = { admit: Identity } | { refuse: Refusal };

const R = 'operator.read';
const W = 'operator.write';
const A = 'operator.admin';
const ALL = [A, R, W];

interface ModeSpec {
  name: string;
  /** The `gateway` section; called after setup. */
  config(): Config;
  /** Where the decision is made: trusted-proxy and none at the upgrade, token and password on `connect`. */
  decidesAt: 'upgrade' | 'connect';
  /** Who the right credential admits. */
  identity: Identity;
  /** The scopes every admitted identity gets without a gateway.authorization section. */
  scopes: string[];
  /**
   * An authorization section with a rule (not the default) that makes the right credential's
   * identity an admin; only modes whose identities have a name or groups.
   */
  adminRule?: Config;
  /** A group a rule may name, and headers a client adds to claim it without the proxy's word. */
  unverifiedGroup?: { group: string; headers: Headers };
  right(): Promise<Credential>;
  wrong?: { credential(): Promise<Credential>; refusal: Refusal };
  missing?: { credential: Credential; refusal: Refusal };
  /** The credential is an identity header the proxy sets (plain trusted-proxy mode). */
  identityFromHeader: boolean;
  /** Set for modes that believe only configured proxies: the refusal every other peer gets. */
  untrustedPeer?: Refusal;
  /** Configured or presented values that must never reach a log line. */
  secrets: string[];
  /** Header names whose values are credentials (kept out of the log like `secrets`). */
  secretHeaders?: string[];
  /** A reload that revokes the right credential, and the refusal it then gets. */
  revoke: { config(): Config; refusal: Refusal };
  setup?(): Promise<void>;
  teardown?(): Promise<void>;
}

const SECRET = 'correct-horse-battery-staple-42';
const ROTATED = 'rotated-horse-battery-staple-43';
const WRONG = 'not-the-secret-xyz';
const UNTRUSTED = '127.0.0.2';

function secretMode(mode: 'token' | 'password'): ModeSpec {
  const config = (secret = SECRET): Config => ({ trustedProxies: ['127.0.0.1'], auth: { mode, [mode]: secret } });
  return {
    name: mode,
    config: () => config(),
    decidesAt: 'connect',
    identity: { user: null, method: mode, groups: [] },
    scopes: ALL,
    right: async () => ({ auth: { [mode]: SECRET } }),
    wrong: { credential: async () => ({ auth: { [mode]: WRONG } }), refusal: { reason: `${mode}_mismatch`, status: 401 } },
    missing: { credential: {}, refusal: { reason: `${mode}_missing`, status: 401 } },
    identityFromHeader: false,
    secrets: [SECRET, ROTATED, WRONG],
    revoke: { config: () => config(ROTATED), refusal: { reason: `${mode}_mismatch`, status: 401 } },
  };
}

const PROXIED = { 'x-forwarded-proto': 'https', 'x-forwarded-user': 'nick@example.com' };
const trustedProxy = (allowUsers = ['nick@example.com', 'ana@example.com']): Config => ({
  trustedProxies: ['127.0.0.1', '::1'],
  auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user', requiredHeaders: ['x-forwarded-proto'], allowUsers } },
});

const HOST = 'mayros.test';
let keys: { server: JwksServer; signer: TestSigner; impostor: TestSigner } | undefined;
const assertionFor = (signer: TestSigner) => signer.sign(claims(Date.now(), { iss: HOST, aud: HOST, email: 'nick@example.com', groups: ['dev', 'ops'] }));
const signed = (audience = HOST): Config => ({
  trustedProxies: ['127.0.0.1'],
  auth: {
    mode: 'trusted-proxy',
    trustedProxy: { userHeader: 'x-forwarded-user', assertion: { preset: 'pomerium', audience, jwksUrl: keys!.server.url }, allowGroups: ['ops'] },
  },
});

const MODES: ModeSpec[] = [
  secretMode('token'),
  secretMode('password'),
  {
    name: 'trusted-proxy',
    config: () => trustedProxy(),
    decidesAt: 'upgrade',
    identity: { user: 'nick@example.com', method: 'trusted-proxy', groups: [] },
    scopes: [R, W],
    adminRule: { rules: [{ users: ['nick@example.com'], scopes: [A] }] },
    right: async () => ({ headers: PROXIED }),
    wrong: { credential: async () => ({ headers: { ...PROXIED, 'x-forwarded-user': 'eve@example.com' } }), refusal: { reason: 'trusted_proxy_user_not_allowed', status: 403 } },
    missing: { credential: { headers: { 'x-forwarded-proto': 'https' } }, refusal: { reason: 'trusted_proxy_user_missing', status: 401 } },
    identityFromHeader: true,
    untrustedPeer: { reason: 'trusted_proxy_untrusted_source', status: 401 },
    secrets: [],
    revoke: { config: () => trustedProxy(['ana@example.com']), refusal: { reason: 'trusted_proxy_user_not_allowed', status: 403 } },
  },
  {
    name: 'trusted-proxy with a signed assertion',
    async setup() {
      const signer = await makeSigner('k1');
      // Another key pair under the same kid: a signature the published key does not verify.
      const impostor = await makeSigner('k1');
      keys = { server: await startJwksServer(jwksOf(signer)), signer, impostor };
    },
    teardown: async () => keys?.server.stop(),
    config: () => signed(),
    decidesAt: 'upgrade',
    identity: { user: 'nick@example.com', method: 'trusted-proxy', groups: ['dev', 'ops'] },
    scopes: [R, W],
    // Admin by group, from the signed assertion's groups claim.
    adminRule: { rules: [{ groups: ['ops'], scopes: [A] }] },
    // With an assertion only its groups claim counts: a plain groups header is not believed.
    unverifiedGroup: { group: 'admins', headers: { 'x-forwarded-groups': 'admins', 'x-pomerium-claim-groups': 'admins' } },
    right: async () => ({ headers: { 'x-forwarded-user': 'nick@example.com', 'x-pomerium-jwt-assertion': await assertionFor(keys!.signer) } }),
    wrong: {
      credential: async () => ({ headers: { 'x-forwarded-user': 'nick@example.com', 'x-pomerium-jwt-assertion': await assertionFor(keys!.impostor) } }),
      refusal: { reason: 'trusted_proxy_assertion_invalid', status: 401 },
    },
    missing: { credential: { headers: { 'x-forwarded-user': 'nick@example.com' } }, refusal: { reason: 'trusted_proxy_assertion_missing', status: 401 } },
    identityFromHeader: false,
    untrustedPeer: { reason: 'trusted_proxy_untrusted_source', status: 401 },
    secrets: [],
    secretHeaders: ['x-pomerium-jwt-assertion'],
    // Another audience: the proxy's tokens (and the open session's) no longer verify.
    revoke: { config: () => signed('other.test'), refusal: { reason: 'trusted_proxy_assertion_invalid', status: 401 } },
  },
  {
    name: 'none',
    config: () => ({ auth: { mode: 'none' } }),
    decidesAt: 'upgrade',
    identity: { user: null, method: 'none', groups: [] },
    scopes: ALL,
    right: async () => ({}),
    identityFromHeader: false,
    secrets: [SECRET],
    // Switching to token mode revokes every anonymous session.
    revoke: { config: () => ({ auth: { mode: 'token', token: SECRET } }), refusal: { reason: 'token_missing', status: 401 } },
  },
];

interface Plan {
  /** Source address; 127.0.0.1 when omitted. */
  from?: string;
  credential(): Promise<Credential>;
  expect: Outcome;
}

interface RequestCase {
  name: string;
  plan(m: ModeSpec): Plan | undefined;
}

/** The outcome for a request that is not the right credential, from a peer the mode may not trust. */
const asUntrusted = (m: ModeSpec, otherwise: Outcome): Outcome => (m.untrustedPeer ? { refuse: m.untrustedPeer } : otherwise);
const withHeaders = (c: () => Promise<Credential>, headers: Headers) => async (): Promise<Credential> => {
  const cred = await c();
  return { ...cred, headers: { ...headers, ...cred.headers } };
};

const REQUEST_CASES: RequestCase[] = [
  { name: 'the right credentials are admitted', plan: (m) => ({ credential: m.right, expect: { admit: m.identity } }) },
  { name: 'wrong credentials are refused', plan: (m) => m.wrong && { credential: m.wrong.credential, expect: { refuse: m.wrong.refusal } } },
  { name: 'missing credentials are refused', plan: (m) => m.missing && { credential: async () => m.missing!.credential, expect: { refuse: m.missing.refusal } } },
  {
    name: 'the right credentials from an untrusted peer',
    plan: (m) => ({ from: UNTRUSTED, credential: m.right, expect: asUntrusted(m, { admit: m.identity }) }),
  },
  {
    name: 'the right credentials with forwarding headers naming the proxy, from an untrusted peer',
    plan: (m) => ({ from: UNTRUSTED, credential: withHeaders(m.right, { 'x-forwarded-for': '127.0.0.1', 'x-real-ip': '127.0.0.1' }), expect: asUntrusted(m, { admit: m.identity }) }),
  },
  {
    name: 'a forged identity and forwarding headers without a credential, from an untrusted peer',
    plan: (m) => ({
      from: UNTRUSTED,
      credential: async () => ({ headers: { 'x-forwarded-user': 'admin@example.com', 'x-forwarded-proto': 'https', 'x-forwarded-for': '127.0.0.1' } }),
      // Never the forged user: refused, or (mode none) admitted as nobody.
      expect: asUntrusted(m, m.missing ? { refuse: m.missing.refusal } : { admit: m.identity }),
    }),
  },
  {
    name: 'identity headers alone, from the proxy address, name nobody',
    plan: (m) =>
      m.identityFromHeader
        ? undefined
        : { credential: async () => ({ headers: PROXIED }), expect: m.missing ? { refuse: m.missing.refusal } : { admit: m.identity } },
  },
];

function httpAttempt(t: TestGateway, c: Credential, from?: string, path = '/api/whoami'): Promise<HttpResult> {
  const headers: Headers = { ...c.headers };
  const secret = c.auth?.token ?? c.auth?.password;
  if (secret !== undefined) headers.authorization = `Bearer ${secret}`;
  return httpRequest(`${t.url}${path}`, { headers, localAddress: from });
}

/** `scopes`: what an admitted request's whoami must list (the mode's default unless a case changed the rules). */
function expectHttp(r: HttpResult, o: Outcome, scopes: string[]): void {
  if ('admit' in o) {
    expect(r.status, r.text).toBe(200);
    expect(r.json).toEqual({ ...o.admit, scopes });
    return;
  }
  expect(r.status, r.text).toBe(o.refuse.status);
  expect(r.json.error).toMatchObject({ type: o.refuse.status === 403 ? 'forbidden' : 'unauthorized', reason: o.refuse.reason });
  // Every refusal says what happened and what to do about it.
  expect(r.json.error.message).toMatch(/\w+ \w+/);
  expect(r.json.error.fix).toMatch(/\w+ \w+/);
  if (o.refuse.status === 401) expect(r.headers['www-authenticate']).toContain('Bearer');
}

async function expectWs(client: WsClient, reply: any, o: Outcome, decidesAt: ModeSpec['decidesAt'], scopes: string[]): Promise<void> {
  if ('admit' in o) {
    expect(reply).toMatchObject({ ok: true, payload: { type: 'hello-ok' } });
    expect(reply.payload.identity).toEqual(o.admit);
    expect(reply.payload.scopes).toEqual(scopes);
    expect((await client.request('whoami')).payload).toEqual({ ...o.admit, scopes });
    return;
  }
  // A mode that decides on connect answers it first; one that decides at the upgrade closes before.
  if (decidesAt === 'connect') expect(reply).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED', reason: o.refuse.reason } });
  else expect(reply).toBeUndefined();
  expect(await client.closed).toEqual({ code: 1008, reason: o.refuse.reason });
}

function expectNothingSecretLogged(t: TestGateway, m: ModeSpec, c: Credential): void {
  const presented = [...Object.values(c.auth ?? {}), ...(m.secretHeaders ?? []).map((h) => c.headers?.[h])];
  for (const s of [...m.secrets, ...presented]) if (typeof s === 'string' && s) expect(t.rawLogs()).not.toContain(s);
}

interface SessionCase {
  name: string;
  applies(m: ModeSpec): boolean;
  run(m: ModeSpec, t: TestGateway): Promise<void>;
}

async function openSession(m: ModeSpec, t: TestGateway, scopes = m.scopes, c?: Credential): Promise<WsClient> {
  c ??= await m.right();
  const { client, reply } = await wsConnect(t.wsUrl, { headers: c.headers, auth: c.auth });
  expect(reply).toMatchObject({ ok: true, payload: { identity: m.identity, scopes } });
  return client;
}

const scopeList = (scopes: string[]) => (scopes.length ? scopes.join(', ') : 'no scopes');

/**
 * Every method (over the open session `client`) and every /api route (over HTTP with `c`) is
 * allowed exactly when `scopes` holds what it declares, else refused with scope_missing; whoami
 * lists `scopes` on both surfaces, and the session stays open throughout.
 */
async function expectScopes(t: TestGateway, client: WsClient, c: Credential, scopes: string[], identity: Identity): Promise<void> {
  expect((await client.request('whoami')).payload).toEqual({ ...identity, scopes });
  for (const d of METHODS.declarations) {
    const r = await client.request(d.name, { scopes: ALL, role: 'admin' });
    // Allowed: answered, or (a method that takes params, such as config.patch) refused for these
    // params, which are looked at only once the scope check passed.
    if (d.scope === null || scopes.includes(d.scope)) expect(r.ok || r.error.code === 'INVALID_PARAMS', `${d.name}: ${JSON.stringify(r)}`).toBe(true);
    else expect(r, d.name).toEqual({ type: 'res', id: r.id, ok: false, error: { code: 'FORBIDDEN', reason: 'scope_missing', message: `${d.name} needs ${d.scope}; you have ${scopeList(scopes)}` } });
  }
  for (const route of API_ROUTES.values()) {
    const r = await httpAttempt(t, c, undefined, route.path);
    if (route.scope === null || scopes.includes(route.scope)) expect(r.status, `${route.path}: ${r.text}`).toBe(200);
    else {
      expect(r.status, route.path).toBe(403);
      expect(r.json).toEqual({ error: { type: 'forbidden', reason: 'scope_missing', message: `${route.path} needs ${route.scope}; you have ${scopeList(scopes)}`, fix: REASONS.scope_missing.fix } });
    }
  }
  expect(JSON.parse((await httpAttempt(t, c)).text)).toEqual({ ...identity, scopes });
  expect(client.ws.readyState).toBe(client.ws.OPEN);
  expect((await client.request('health')).payload).toEqual({ ok: true });
}

/** The mode's config with `authorization` as its gateway.authorization section. */
const withAuthorization = (m: ModeSpec, authorization: Config): Config => ({ ...m.config(), authorization });

/** Applies `config`, runs `body`, and puts the mode's own config back whatever happened. */
async function withConfig(m: ModeSpec, t: TestGateway, config: Config, body: (out: Awaited<ReturnType<TestGateway['rewrite']>>) => Promise<void>): Promise<void> {
  try {
    const out = await t.rewrite(config);
    expect(out.status).toBe('applied');
    await body(out);
  } finally {
    expect((await t.rewrite(m.config())).status).toBe('applied');
  }
}

const SESSION_CASES: SessionCase[] = [
  {
    name: 'a reload that revokes the credential closes the open session with the new reason, and refuses the credential from then on',
    applies: () => true,
    async run(m, t) {
      const session = await openSession(m, t);
      try {
        await withConfig(m, t, m.revoke.config(), async () => {
          expect(await within(session.closed, 3000, 'the revoked session to close')).toEqual({ code: 1008, reason: m.revoke.refusal.reason });
          const c = await m.right();
          expectHttp(await httpAttempt(t, c), { refuse: m.revoke.refusal }, m.scopes);
          const again = await wsConnect(t.wsUrl, { headers: c.headers, auth: c.auth });
          expect(again.reply?.ok).not.toBe(true);
          expect(await again.client.closed).toEqual({ code: 1008, reason: m.revoke.refusal.reason });
        });
      } finally {
        session.close();
      }
    },
  },
  {
    name: 'a reload that keeps the credential keeps the open session',
    applies: () => true,
    async run(m, t) {
      const session = await openSession(m, t);
      const config = m.config();
      try {
        await withConfig(m, t, { ...config, controlUi: { ...config.controlUi, allowedOrigins: ['https://console.example.com'] } }, async (out) => {
          expect(out).toMatchObject({ status: 'applied', recheck: { closed: 0 } });
          expect((await session.request('whoami')).payload).toEqual({ ...m.identity, scopes: m.scopes });
          expect(session.ws.readyState).toBe(session.ws.OPEN);
          expectHttp(await httpAttempt(t, await m.right()), { admit: m.identity }, m.scopes);
        });
      } finally {
        session.close();
      }
    },
  },
];

SESSION_CASES.push(
  {
    name: 'scopes without an authorization section: the mode\'s default, on both surfaces',
    applies: () => true,
    async run(m, t) {
      const session = await openSession(m, t);
      try {
        await expectScopes(t, session, await m.right(), m.scopes, m.identity);
      } finally {
        session.close();
      }
    },
  },
  {
    name: 'a read-only default (defaultScopes [operator.read]) allows reading and refuses the rest; the session stays open',
    applies: () => true,
    async run(m, t) {
      await withConfig(m, t, withAuthorization(m, { defaultScopes: [R] }), async () => {
        const session = await openSession(m, t, [R]);
        try {
          await expectScopes(t, session, await m.right(), [R], m.identity);
        } finally {
          session.close();
        }
      });
    },
  },
  {
    name: 'no scopes (defaultScopes []): admitted, and only what needs no scope is allowed',
    applies: () => true,
    async run(m, t) {
      await withConfig(m, t, withAuthorization(m, { defaultScopes: [] }), async () => {
        const session = await openSession(m, t, []);
        try {
          await expectScopes(t, session, await m.right(), [], m.identity);
        } finally {
          session.close();
        }
      });
    },
  },
  {
    name: 'a rule that names the identity grants operator.admin (and with it write and read)',
    applies: (m) => m.adminRule !== undefined,
    async run(m, t) {
      await withConfig(m, t, withAuthorization(m, { defaultScopes: [], ...m.adminRule }), async () => {
        const session = await openSession(m, t, ALL);
        try {
          await expectScopes(t, session, await m.right(), ALL, m.identity);
        } finally {
          session.close();
        }
      });
    },
  },
  {
    name: 'nothing a client sends adds a scope: fields in connect and in params, extra headers, a group claimed without the proxy\'s word',
    applies: () => true,
    async run(m, t) {
      const rules = m.unverifiedGroup ? [{ groups: [m.unverifiedGroup.group], scopes: [A] }] : [];
      await withConfig(m, t, withAuthorization(m, { defaultScopes: [R], rules }), async () => {
        const right = await m.right();
        const claims = { 'x-mayros-scopes': ALL.join(','), 'x-scopes': A, 'x-role': 'admin', 'x-forwarded-groups': 'admins', ...m.unverifiedGroup?.headers };
        const c: Credential = { ...right, headers: { ...claims, ...right.headers } };
        const client = wsClient(t.wsUrl, { headers: c.headers, connect: false });
        try {
          await client.opened;
          client.send({
            type: 'req',
            id: CONNECT_ID,
            method: 'connect',
            params: { protocol: 1, client: { name: 'forger', version: '1', scopes: ALL, role: 'admin' }, auth: { ...c.auth, scopes: ALL }, scopes: ALL, role: 'admin', permissions: ['*'] },
          });
          const reply = await client.next((f) => f.id === CONNECT_ID);
          expect(reply).toMatchObject({ ok: true, payload: { identity: m.identity, scopes: [R] } });
          await expectScopes(t, client, c, [R], m.identity);
        } finally {
          client.close();
        }
      });
    },
  },
  {
    name: 'a reload that changes the rules updates the open session at once (session.updated), without closing it',
    applies: () => true,
    async run(m, t) {
      const session = await openSession(m, t);
      const updates = () => session.events.filter((e) => e.event === 'session.updated').map((e) => e.payload);
      try {
        await withConfig(m, t, withAuthorization(m, { defaultScopes: [R] }), async (out) => {
          expect(out).toMatchObject({ status: 'applied', recheck: { closed: 0 } });
          if (out.status === 'applied') expect(out.recheck.updated).toBeGreaterThanOrEqual(1);
          await within(session.next((f) => f.event === 'session.updated'), 3000, 'session.updated');
          expect(updates()).toEqual([{ scopes: [R] }]);
          await expectScopes(t, session, await m.right(), [R], m.identity);
        });
        // Putting the mode's own config back gives the default back, on the same session.
        await within(session.next((f) => f.event === 'session.updated'), 3000, 'session.updated back');
        expect(updates()).toEqual([{ scopes: [R] }, { scopes: m.scopes }]);
        await expectScopes(t, session, await m.right(), m.scopes, m.identity);
      } finally {
        session.close();
      }
    },
  },
);

describe.each(MODES)('$name mode', (m) => {
  let t: TestGateway;
  beforeAll(async () => {
    await m.setup?.();
    t = await startTestGateway(m.config());
  });
  afterAll(async () => {
    await t?.stop();
    await m.teardown?.();
  });

  for (const c of REQUEST_CASES) {
    const plan = c.plan(m);
    if (!plan) continue;
    it(`${c.name} (HTTP)`, async () => {
      const cred = await plan.credential();
      expectHttp(await httpAttempt(t, cred, plan.from), plan.expect, m.scopes);
      expectNothingSecretLogged(t, m, cred);
    });
    it(`${c.name} (WebSocket)`, async () => {
      const cred = await plan.credential();
      const { client, reply } = await wsConnect(t.wsUrl, { headers: cred.headers, auth: cred.auth, localAddress: plan.from });
      try {
        await expectWs(client, reply, plan.expect, m.decidesAt, m.scopes);
      } finally {
        client.close();
      }
      expectNothingSecretLogged(t, m, cred);
    });
  }

  for (const c of SESSION_CASES) if (c.applies(m)) it(c.name, () => c.run(m, t));
});
