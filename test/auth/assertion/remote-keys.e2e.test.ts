/**
 * The fetched key source against a real loopback JWKS server: caching, rotation, the cooldown
 * that protects the key endpoint, and failing closed when keys cannot be had.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RemoteKeySource, type RemoteKeyOptions } from '../../../src/auth/assertion/remote-keys.js';
import { verifyAssertion, type AssertionOptions } from '../../../src/auth/assertion/verify.js';
import { claims, jwksOf, makeSigner, type TestSigner } from '../../support/signing.js';
import { startJwksServer, type JwksServer } from '../../support/jwks-server.js';

const opts: AssertionOptions = {
  issuer: 'iss.example',
  audience: ['aud.example'],
  algorithms: ['ES256'],
  userClaim: 'email',
  groupsClaim: undefined,
  userHeaderPrefix: undefined,
  clockToleranceSec: 30,
  maxTokenBytes: 8192,
};

let k1: TestSigner;
let k2: TestSigner;
let server: JwksServer;
/** The key source's clock, moved by hand to cross cooldowns. */
let t = 0;

const token = (s: TestSigner, header?: Record<string, unknown>) => s.sign(claims(Date.now(), { iss: 'iss.example', aud: 'aud.example', email: 'nick@example.com' }), header);

async function verdict(source: RemoteKeySource, jwt: string): Promise<string> {
  const o = await verifyAssertion(jwt, 'nick@example.com', source, opts, Date.now());
  if (o.ok) return 'ok';
  return 'why' in o.failure ? `${o.failure.reason}:${o.failure.why}` : o.failure.reason;
}

function source(extra: Partial<RemoteKeyOptions> = {}): RemoteKeySource {
  return new RemoteKeySource({ url: server.url, now: () => t, ...extra });
}

beforeAll(async () => {
  k1 = await makeSigner('k1');
  k2 = await makeSigner('k2');
  server = await startJwksServer(jwksOf(k1));
});

afterEach(() => {
  server.mode = 'ok';
  server.jwks = jwksOf(k1);
  t = 0;
});

afterAll(() => server.stop());

describe('RemoteKeySource', () => {
  it('fetches once and verifies from the cache', async () => {
    const s = source();
    const before = server.hits;
    await s.refresh();
    expect(s.readiness()).toEqual({ ready: true });
    const jwt = await token(k1);
    for (let i = 0; i < 5; i++) expect(await verdict(s, jwt)).toBe('ok');
    expect(server.hits - before).toBe(1);
  });

  it('refuses a token signed by a key that is not published', async () => {
    const s = source();
    await s.refresh();
    const forger = await makeSigner('k1');
    expect(await verdict(s, await token(forger))).toBe('trusted_proxy_assertion_invalid:signature');
  });

  it('picks up a rotated-in key on first sight, and drops a removed one', async () => {
    const s = source();
    await s.refresh();
    const before = server.hits;
    server.jwks = jwksOf(k1, k2);
    t += 31_000;
    expect(await verdict(s, await token(k2))).toBe('ok');
    expect(server.hits - before).toBe(1);

    // The proxy removes k1. Cached keys serve until they age; then a background refresh drops it.
    server.jwks = jwksOf(k2);
    const old = await token(k1);
    expect(await verdict(s, old)).toBe('ok');
    t += 11 * 60_000;
    expect(await verdict(s, old)).toBe('ok'); // served from cache while the refresh runs
    await s.refresh();
    expect(await verdict(s, old)).toBe('trusted_proxy_assertion_invalid:unknown_key');
    expect(await verdict(s, await token(k2))).toBe('ok');
  });

  it('does not let a flood of unknown key ids hammer the key endpoint', async () => {
    const s = source();
    await s.refresh();
    const before = server.hits;
    const jwts = await Promise.all(Array.from({ length: 40 }, (_, i) => token(k1, { kid: `bogus-${i}` })));
    // Inside the cooldown after the first fetch: no fetch at all.
    expect(new Set(await Promise.all(jwts.map((j) => verdict(s, j))))).toEqual(new Set(['trusted_proxy_assertion_invalid:unknown_key']));
    expect(server.hits - before).toBe(0);
    // After the cooldown: the whole flood shares one fetch.
    t += 31_000;
    await Promise.all(jwts.map((j) => verdict(s, j)));
    expect(server.hits - before).toBe(1);
    t += 1_000;
    await Promise.all(jwts.map((j) => verdict(s, j)));
    expect(server.hits - before).toBe(1);
  });

  it('key server down at startup: refuses with keys_unavailable, retries within limits, recovers', async () => {
    server.mode = 'reset';
    const s = source();
    await s.refresh();
    const r = s.readiness();
    expect(r.ready).toBe(false);
    const jwt = await token(k1);
    const before = server.hits;
    for (let i = 0; i < 10; i++) expect(await verdict(s, jwt)).toBe('trusted_proxy_assertion_keys_unavailable');
    expect(server.hits - before).toBe(0); // within the failure cooldown
    server.mode = 'ok';
    t += 5_000;
    expect(await verdict(s, jwt)).toBe('ok');
    expect(server.hits - before).toBe(1);
    expect(s.readiness()).toEqual({ ready: true });
  });

  it('key server stopped (connection refused) at startup and later', async () => {
    const s = source();
    await server.stop();
    try {
      await s.refresh();
      // The first attempt may meet the pooled connection the server just closed, rather than a refusal.
      expect(s.readiness()).toMatchObject({ ready: false, detail: expect.stringMatching(/ECONNREFUSED|other side closed/) });
      expect(await verdict(s, await token(k1))).toBe('trusted_proxy_assertion_keys_unavailable');
    } finally {
      await server.start();
    }
    t += 5_000;
    expect(await verdict(s, await token(k1))).toBe('ok');

    // Down again later: known keys keep working from the cache; an unknown one cannot be checked.
    await server.stop();
    try {
      t += 31_000;
      expect(await verdict(s, await token(k1))).toBe('ok');
      expect(await verdict(s, await token(k2))).toBe('trusted_proxy_assertion_keys_unavailable');
      // Past the staleness limit, even cached keys are no longer trusted.
      t += 24 * 60 * 60_000;
      expect(await verdict(s, await token(k1))).toBe('trusted_proxy_assertion_keys_unavailable');
      expect(s.readiness().ready).toBe(false);
    } finally {
      await server.start();
    }
  });

  it('readiness probes trigger recovery, within the cooldown', async () => {
    server.mode = 'error';
    const s = source();
    await s.refresh();
    expect(s.readiness()).toEqual({ ready: false, detail: expect.stringContaining('HTTP 503') });
    server.mode = 'ok';
    const before = server.hits;
    expect(s.readiness().ready).toBe(false); // inside the cooldown: no fetch
    expect(server.hits).toBe(before);
    t += 5_000;
    expect(s.readiness().ready).toBe(false); // starts a fetch
    await s.refresh(); // joins it
    expect(server.hits - before).toBe(1);
    expect(s.readiness()).toEqual({ ready: true });
  });

  it.each<[string, JwksServer['mode'] | 'private', string]>([
    ['an error status', 'error', 'HTTP 503'],
    ['a body over the size limit', 'huge', 'exceeds'],
    ['a redirect', 'redirect', 'fetching'],
    ['something that is not JSON', 'not-json', 'not JSON'],
    ['private key material', 'private', 'private'],
  ])('refuses %s', async (_n, mode, detail) => {
    if (mode === 'private') server.jwks = { keys: [{ ...k1.jwk, d: 'secret' }] };
    else server.mode = mode;
    const s = source();
    await s.refresh();
    expect(s.readiness()).toEqual({ ready: false, detail: expect.stringContaining(detail) });
    expect(await verdict(s, await token(k1))).toBe('trusted_proxy_assertion_keys_unavailable');
  });

  it('gives up on a key server that does not answer', async () => {
    server.mode = 'hang';
    const s = source({ fetchTimeoutMs: 300 });
    const started = Date.now();
    await s.refresh();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(s.readiness()).toEqual({ ready: false, detail: expect.stringContaining('timed out after 300 ms') });
  });

  it('reports each fetch', async () => {
    const events: unknown[] = [];
    const s = source({ onEvent: (e) => events.push(e) });
    await s.refresh();
    server.mode = 'error';
    t += 31_000;
    await s.refresh();
    expect(events).toEqual([
      { type: 'fetched', url: server.url, keys: 1 },
      { type: 'failed', url: server.url, error: expect.stringContaining('HTTP 503') },
    ]);
  });
});
