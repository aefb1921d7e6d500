/**
 * DNS rebinding (issue 12, item 6): a page on attacker.example whose name resolves to 127.0.0.1
 * reaches a loopback gateway with `Host: attacker.example:<port>`. Over real sockets, such a Host
 * is refused with 421 / close 1008 host_not_allowed, in every mode, before anything else; loopback
 * names and gateway.allowedHosts are served; the health probes answer whatever the Host.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway-inproc.js';
import { rawHttpGet, rawWsAttempt } from '../support/raw-socket.js';

const TOKEN = 'host-check-suite-token-0123456789';

let token: TestGateway;
let none: TestGateway;
let proxy: TestGateway;
beforeAll(async () => {
  [token, none, proxy] = await Promise.all([
    startTestGateway({ auth: { mode: 'token', token: TOKEN }, allowedHosts: ['mayros.example.com'] }),
    startTestGateway({ auth: { mode: 'none' } }),
    startTestGateway({ trustedProxies: ['127.0.0.1'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user' } } }),
  ]);
});
afterAll(() => Promise.all([token?.stop(), none?.stop(), proxy?.stop()]));

describe('HTTP', () => {
  it.each([
    ['localhost'],
    ['localhost:PORT'],
    ['LOCALHOST:PORT'],
    ['app.localhost:PORT'],
    ['127.0.0.1:PORT'],
    ['127.9.8.7'],
    ['[::1]:PORT'],
    ['mayros.example.com'],
    ['mayros.example.com:8443'],
  ])('serves Host %s', async (host) => {
    const r = await rawHttpGet(token.port, '/api/whoami', [['Authorization', `Bearer ${TOKEN}`]], { host: host.replace('PORT', String(token.port)) });
    expect(r.status).toBe(200);
  });

  it.each([['attacker.example:PORT'], ['attacker.example'], ['10.0.0.5:PORT'], ['[::2]:PORT'], ['localhost.attacker.example'], ['127.0.0.1.attacker.example']])(
    'refuses Host %s with 421 host_not_allowed, even with the right token',
    async (host) => {
      const r = await rawHttpGet(token.port, '/api/whoami', [['Authorization', `Bearer ${TOKEN}`]], { host: host.replace('PORT', String(token.port)) });
      expect(r.status).toBe(421);
      expect(r.json.error).toMatchObject({ type: 'forbidden', reason: 'host_not_allowed' });
      expect(r.json.error.fix).toContain('gateway.allowedHosts');
    },
  );

  it('refuses the Control UI page too, and logs the host it was asked for', async () => {
    const r = await rawHttpGet(token.port, '/', [], { host: 'attacker.example' });
    expect(r.status).toBe(421);
    expect(token.logs.findLast((l) => l.reason === 'host_not_allowed')).toMatchObject({ event: 'auth_rejected', surface: 'http', detail: 'attacker.example', peer: '127.0.0.1' });
  });

  it('answers the health probes whatever the Host', async () => {
    expect((await rawHttpGet(token.port, '/healthz', [], { host: 'attacker.example' })).status).toBe(200);
    expect((await rawHttpGet(token.port, '/readyz', [], { host: 'attacker.example' })).status).toBe(200);
  });

  it('in trusted-proxy mode, a rebinding page cannot name a user through the loopback proxy address', async () => {
    const lines = [['X-Forwarded-User', 'admin@example.com']] as const;
    expect((await rawHttpGet(proxy.port, '/api/whoami', lines, { host: `attacker.example:${proxy.port}` })).status).toBe(421);
    expect((await rawHttpGet(proxy.port, '/api/whoami', lines, { host: `127.0.0.1:${proxy.port}` })).status).toBe(200);
  });
});

describe('WebSocket upgrade', () => {
  it('closes an upgrade with a foreign Host with 1008 host_not_allowed', async () => {
    const r = await rawWsAttempt(token.port, [['Origin', `http://attacker.example:${token.port}`]], { host: `attacker.example:${token.port}` });
    expect(r.close).toEqual({ code: 1008, reason: 'host_not_allowed' });
    expect(r.reply?.ok).not.toBe(true);
  });

  it('mode "none": a rebinding page gets neither hello-ok nor security.audit', async () => {
    const host = `attacker.example:${none.port}`;
    const r = await rawWsAttempt(none.port, [['Origin', `http://${host}`]], { host });
    expect(r.close).toEqual({ code: 1008, reason: 'host_not_allowed' });
    expect(r.reply).toBeUndefined();
    expect((await rawHttpGet(none.port, '/api/whoami', [['Origin', `http://${host}`]], { host })).status).toBe(421);
    // The same page on the gateway's own name is admitted (the check is the Host, not the mode).
    const own = `localhost:${none.port}`;
    const ok = await rawWsAttempt(none.port, [['Origin', `http://${own}`]], { host: own });
    expect(ok.reply).toMatchObject({ ok: true, payload: { type: 'hello-ok' } });
  });

  it('admits an allowedHosts name with its own origin', async () => {
    const r = await rawWsAttempt(token.port, [['Origin', 'http://mayros.example.com']], { host: 'mayros.example.com' });
    // Token mode decides on connect; the raw client sends none, so the upgrade itself is what passed.
    expect(r.status).toBe('HTTP/1.1 101 Switching Protocols');
    expect(r.close?.reason).toBe('token_missing');
  });
});
