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
 * - Anything longer (a reload, methods on an open session; issue 14's scopes): append to
 *   SESSION_CASES, with `applies(mode)` and `run(mode, gateway)`.
 * Adding a mode: append a ModeSpec to MODES: the gateway config, who the right credential
 * admits, the wrong and missing credentials with their refusals (leave out what the mode has
 * not got), whether it believes only its proxies, where it decides (upgrade or connect), the
 * reload that revokes its credential, and setup/teardown for what it needs (a key server).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway-inproc.js';
import { httpRequest, type Headers, type HttpResult } from '../support/http-client.js';
import { startJwksServer, type JwksServer } from '../support/jwks-server.js';
import { claims, jwksOf, makeSigner, type TestSigner } from '../support/signing.js';
import { within } from '../support/wait.js';
import { wsConnect, type WsClient } from '../support/ws-client.js';

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

interface ModeSpec {
  name: string;
  /** The `gateway` section; called after setup. */
  config(): Config;
  /** Where the decision is made: trusted-proxy and none at the upgrade, token and password on `connect`. */
  decidesAt: 'upgrade' | 'connect';
  /** Who the right credential admits. */
  identity: Identity;
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

function httpAttempt(t: TestGateway, c: Credential, from?: string): Promise<HttpResult> {
  const headers: Headers = { ...c.headers };
  const secret = c.auth?.token ?? c.auth?.password;
  if (secret !== undefined) headers.authorization = `Bearer ${secret}`;
  return httpRequest(`${t.url}/api/whoami`, { headers, localAddress: from });
}

function expectHttp(r: HttpResult, o: Outcome): void {
  if ('admit' in o) {
    expect(r.status, r.text).toBe(200);
    expect(r.json).toEqual(o.admit);
    return;
  }
  expect(r.status, r.text).toBe(o.refuse.status);
  expect(r.json.error).toMatchObject({ type: o.refuse.status === 403 ? 'forbidden' : 'unauthorized', reason: o.refuse.reason });
  // Every refusal says what happened and what to do about it.
  expect(r.json.error.message).toMatch(/\w+ \w+/);
  expect(r.json.error.fix).toMatch(/\w+ \w+/);
  if (o.refuse.status === 401) expect(r.headers['www-authenticate']).toContain('Bearer');
}

async function expectWs(client: WsClient, reply: any, o: Outcome, decidesAt: ModeSpec['decidesAt']): Promise<void> {
  if ('admit' in o) {
    expect(reply).toMatchObject({ ok: true, payload: { type: 'hello-ok' } });
    expect(reply.payload.identity).toEqual(o.admit);
    expect((await client.request('whoami')).payload).toEqual(o.admit);
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

async function openSession(m: ModeSpec, t: TestGateway): Promise<WsClient> {
  const c = await m.right();
  const { client, reply } = await wsConnect(t.wsUrl, { headers: c.headers, auth: c.auth });
  expect(reply).toMatchObject({ ok: true, payload: { identity: m.identity } });
  return client;
}

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
          expectHttp(await httpAttempt(t, c), { refuse: m.revoke.refusal });
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
          expect((await session.request('whoami')).payload).toEqual(m.identity);
          expect(session.ws.readyState).toBe(session.ws.OPEN);
          expectHttp(await httpAttempt(t, await m.right()), { admit: m.identity });
        });
      } finally {
        session.close();
      }
    },
  },
];

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
      expectHttp(await httpAttempt(t, cred, plan.from), plan.expect);
      expectNothingSecretLogged(t, m, cred);
    });
    it(`${c.name} (WebSocket)`, async () => {
      const cred = await plan.credential();
      const { client, reply } = await wsConnect(t.wsUrl, { headers: cred.headers, auth: cred.auth, localAddress: plan.from });
      try {
        await expectWs(client, reply, plan.expect, m.decidesAt);
      } finally {
        client.close();
      }
      expectNothingSecretLogged(t, m, cred);
    });
  }

  for (const c of SESSION_CASES) if (c.applies(m)) it(c.name, () => c.run(m, t));
});
