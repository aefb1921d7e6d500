/**
 * No header the decision reads is dropped unseen (issue 12, item 1). Node keeps at most
 * `server.maxHeadersCount` header lines and silently drops the rest; a second identity header
 * behind 1,020 filler lines used to be dropped, so the first (client-chosen) one was admitted.
 * Every case runs over HTTP and over a WebSocket upgrade, from the trusted proxy's address, at the
 * old boundary (1,000 fillers) and past it (1,020).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway-inproc.js';
import { rawHttpGet, rawWsAttempt } from '../support/raw-socket.js';
import { claims, jwksOf, makeSigner, type TestSigner } from '../support/signing.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

type Line = readonly [string, string];

const fillers = (n: number): Line[] => Array.from({ length: n }, (_, i) => [`X-Filler-${i}`, 'f'] as const);

let t: TestGateway;
let signed: TestGateway;
let signer: TestSigner;
const dir = makeTempDir('hdrcount');

beforeAll(async () => {
  t = await startTestGateway({
    trustedProxies: ['127.0.0.1'],
    controlUi: { enabled: false },
    auth: {
      mode: 'trusted-proxy',
      trustedProxy: { userHeader: 'x-forwarded-user', requiredHeaders: ['x-forwarded-proto'], groupsHeader: 'x-forwarded-groups', allowGroups: ['admins'], allowUsers: ['alice@example.com'] },
    },
  });
  signer = await makeSigner('k1');
  const jwksFile = join(dir, 'jwks.json');
  writeFileSync(jwksFile, JSON.stringify(jwksOf(signer)));
  signed = await startTestGateway({
    trustedProxies: ['127.0.0.1'],
    controlUi: { enabled: false },
    auth: {
      mode: 'trusted-proxy',
      trustedProxy: {
        userHeader: 'x-forwarded-user',
        assertion: { header: 'x-test-assertion', jwksFile, issuer: 'https://idp.test', audience: 'mayros.test', algorithms: ['ES256'] },
      },
    },
  });
});
afterAll(async () => {
  await Promise.all([t?.stop(), signed?.stop()]);
  removeTempDir(dir);
});

/** HTTP: "<status> <user or reason>". */
async function overHttp(g: TestGateway, lines: Line[]): Promise<string> {
  const r = await rawHttpGet(g.port, '/api/whoami', lines);
  if (r.status === 200) return `200 ${r.json.user}`;
  return `${r.status} ${r.json?.error?.reason ?? ''}`.trim();
}

/** WebSocket: "hello <user>", "<close code> <reason>", or the refused status line's code. */
async function overWs(g: TestGateway, lines: Line[]): Promise<string> {
  const r = await rawWsAttempt(g.port, lines);
  if (r.reply?.ok) return `hello ${r.reply.payload.identity.user}`;
  if (r.close) return `${r.close.code} ${r.close.reason}`;
  return r.status.split(' ')[1] ?? 'no answer';
}

const PROTO: Line = ['X-Forwarded-Proto', 'https'];

describe.each([1000, 1020])('with %i filler lines between two copies', (n) => {
  const pad = fillers(n);
  const cases: Array<{ name: string; lines: Line[]; http: string; ws: string }> = [
    {
      name: 'the identity header',
      lines: [PROTO, ['X-Forwarded-User', 'alice@example.com'], ...pad, ['X-Forwarded-User', 'mallory@example.com']],
      http: '401 trusted_proxy_user_ambiguous',
      ws: '1008 trusted_proxy_user_ambiguous',
    },
    {
      name: 'the groups header',
      lines: [PROTO, ['X-Forwarded-Groups', 'admins'], ['X-Forwarded-User', 'mallory@example.com'], ...pad, ['X-Forwarded-Groups', 'guests']],
      http: '401 trusted_proxy_groups_ambiguous',
      ws: '1008 trusted_proxy_groups_ambiguous',
    },
  ];
  it.each(cases)('HTTP refuses $name sent twice', async ({ lines, http }) => {
    expect(await overHttp(t, lines)).toBe(http);
  });
  it.each(cases)('WebSocket refuses $name sent twice', async ({ lines, ws }) => {
    expect(await overWs(t, lines)).toBe(ws);
  });

  it('sees a required header that comes only after the fillers (HTTP and WebSocket)', async () => {
    const lines: Line[] = [['X-Forwarded-User', 'alice@example.com'], ...pad, PROTO];
    expect(await overHttp(t, lines)).toBe('200 alice@example.com');
    expect(await overWs(t, lines)).toBe('hello alice@example.com');
  });

  it('refuses the signed assertion header sent twice (HTTP and WebSocket)', async () => {
    const now = Date.now();
    const a = await signer.sign(claims(now, { iss: 'https://idp.test', aud: 'mayros.test', email: 'alice@example.com' }));
    const b = await signer.sign(claims(now, { iss: 'https://idp.test', aud: 'mayros.test', email: 'alice@example.com', jti: 'second' }));
    const lines: Line[] = [['X-Forwarded-User', 'alice@example.com'], ['X-Test-Assertion', a], ...pad, ['X-Test-Assertion', b]];
    expect(await overHttp(signed, lines)).toBe('401 trusted_proxy_assertion_ambiguous');
    expect(await overWs(signed, lines)).toBe('1008 trusted_proxy_assertion_ambiguous');
    // The same single token is admitted: the refusal is the repeat, not the token.
    const once: Line[] = [['X-Forwarded-User', 'alice@example.com'], ['X-Test-Assertion', a], ...pad];
    expect(await overHttp(signed, once)).toBe('200 alice@example.com');
  });
});

describe('the byte limit still bounds a request', () => {
  it('answers 431 to a header block over 16 KiB, over HTTP and on an upgrade', async () => {
    const pad = fillers(2000);
    expect(await overHttp(t, [PROTO, ['X-Forwarded-User', 'alice@example.com'], ...pad])).toBe('431');
    expect(await overWs(t, [PROTO, ['X-Forwarded-User', 'alice@example.com'], ...pad])).toBe('431');
  });
});

describe('a header list cut by a count cap is refused, never decided on', () => {
  it('answers 431 when a cap is in force and the list reached it', async () => {
    // As if a Node release (or a changed setting) capped the count again: 1,000 header lines.
    for (const s of t.gw.servers) s.maxHeadersCount = 1000;
    try {
      const lines: Line[] = [PROTO, ['X-Forwarded-User', 'alice@example.com'], ...fillers(1020), ['X-Forwarded-User', 'mallory@example.com']];
      expect(await overHttp(t, lines)).toBe('431');
      expect(await overWs(t, lines)).toBe('431');
      // Short requests are unaffected.
      expect(await overHttp(t, [PROTO, ['X-Forwarded-User', 'alice@example.com']])).toBe('200 alice@example.com');
    } finally {
      for (const s of t.gw.servers) s.maxHeadersCount = 0;
    }
  });
});
