/**
 * Non-ASCII user names over real sockets (issue 12, item 9): proxies send UTF-8 bytes; Node hands
 * them over as latin-1; the gateway decodes them, compares in NFC, refuses bytes that are not
 * UTF-8, and `mayros auth explain` (whose arguments are text) reaches the same verdict.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway-inproc.js';
import { rawHttpGet, rawWsAttempt, utf8Wire } from '../support/raw-socket.js';
import { parseConfigObject } from '../../src/config/parse.js';
import { resolvedConfig } from '../../src/config/load.js';
import { explainRequest } from '../../src/explain/explain.js';

const GATEWAY = {
  trustedProxies: ['127.0.0.1'],
  auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user', groupsHeader: 'x-forwarded-groups', allowUsers: ['jürgen@example.com'], allowGroups: ['Ärzte'] } },
} as const;

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway(GATEWAY);
});
afterAll(() => t.stop());

type Case = { name: string; user: string; groups?: string; http: string; ws: string; explain: string };
const cases: Case[] = [
  { name: 'a UTF-8 name in allowUsers', user: utf8Wire('jürgen@example.com'), http: '200 jürgen@example.com', ws: 'hello jürgen@example.com', explain: 'ADMITTED jürgen@example.com' },
  { name: 'its NFD spelling', user: utf8Wire('ju\u0308rgen@example.com'), http: '200 jürgen@example.com', ws: 'hello jürgen@example.com', explain: 'ADMITTED jürgen@example.com' },
  { name: 'a UTF-8 group in allowGroups', user: utf8Wire('zoë@example.com'), groups: utf8Wire('Ärzte'), http: '200 zoë@example.com', ws: 'hello zoë@example.com', explain: 'ADMITTED zoë@example.com' },
  { name: 'a UTF-8 name not listed', user: utf8Wire('jörg@example.com'), http: '403 trusted_proxy_user_not_allowed', ws: '1008 trusted_proxy_user_not_allowed', explain: 'REFUSED trusted_proxy_user_not_allowed' },
  { name: 'the Latin-1 bytes of a listed name', user: 'j\xfcrgen@example.com', http: '401 trusted_proxy_header_invalid_utf8', ws: '1008 trusted_proxy_header_invalid_utf8', explain: '' },
  { name: 'a groups header that is not UTF-8', user: 'nick@example.com', groups: '\xc4rzte', http: '401 trusted_proxy_header_invalid_utf8', ws: '1008 trusted_proxy_header_invalid_utf8', explain: '' },
];
const lines = (c: Case) => [['X-Forwarded-User', c.user], ...(c.groups ? [['X-Forwarded-Groups', c.groups] as const] : [])] as Array<readonly [string, string]>;

describe('HTTP and WebSocket from the proxy', () => {
  it.each(cases)('$name', async (c) => {
    const r = await rawHttpGet(t.port, '/api/whoami', lines(c));
    expect(r.status === 200 ? `200 ${r.json.user}` : `${r.status} ${r.json.error.reason}`).toBe(c.http);
    const w = await rawWsAttempt(t.port, lines(c));
    expect(w.reply?.ok ? `hello ${w.reply.payload.identity.user}` : `${w.close?.code} ${w.close?.reason}`).toBe(c.ws);
  });

  it('logs which header was not UTF-8', () => {
    expect(t.logs.find((l) => l.reason === 'trusted_proxy_header_invalid_utf8' && l.detail === 'x-forwarded-groups')).toBeDefined();
  });
});

describe('auth explain agrees with the gateway', () => {
  const resolved = resolvedConfig({ file: '(test)', fileFound: true, stateDir: '/tmp/none', config: parseConfigObject({ gateway: GATEWAY }), sources: new Map() });
  // Explain takes text, as typed on a command line; the cases whose bytes are not UTF-8 cannot be typed.
  it.each(cases.filter((c) => c.explain))('$name', (c) => {
    const text = (wire: string) => Buffer.from(wire, 'latin1').toString('utf8');
    const headers = lines(c).map(([k, v]) => `${k}: ${text(v)}`);
    const o = explainRequest(resolved, { from: '127.0.0.1', headers }).outcome;
    expect(o.ok ? `ADMITTED ${o.user}` : `REFUSED ${o.code}`).toBe(c.explain);
  });
});
