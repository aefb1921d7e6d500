/**
 * Scopes changing under open sessions (src/gateway/ws/scopes.ts): the hook for work running on a
 * session's behalf. A listener registered with `onScopesChanged` hears each session whose scopes a
 * reload changed (its connId and identity, the old and new lists), with the new list already in
 * force on the session; sessions whose scopes did not change are not reported, and a removed
 * listener hears nothing. The mode conformance suite covers the event and enforcement per mode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScopesChange } from '../../src/gateway/ws/gateway.js';
import { startTestGateway, type TestGateway } from '../support/gateway-inproc.js';
import { httpRequest } from '../support/http-client.js';
import { within } from '../support/wait.js';
import { wsConnect } from '../support/ws-client.js';

const R = 'operator.read';
const W = 'operator.write';
const A = 'operator.admin';

const config = (authorization?: Record<string, unknown>) => ({
  trustedProxies: ['127.0.0.1'],
  auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user' } },
  ...(authorization && { authorization }),
});
const as = (user: string) => ({ 'x-forwarded-user': user });

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway(config({ rules: [{ users: ['alice@example.com'], scopes: [A] }] }));
});
afterAll(() => t?.stop());

describe('onScopesChanged', () => {
  it('tells a listener about every session whose scopes a reload changed, after the session itself, and stops once removed', async () => {
    const alice = await wsConnect(t.wsUrl, { headers: as('alice@example.com') });
    const bob = await wsConnect(t.wsUrl, { headers: as('bob@example.com') });
    const carol = await wsConnect(t.wsUrl, { headers: as('carol@example.com') });
    const heard: ScopesChange[] = [];
    // What a chat run manager would check: the new scopes are already in force on the session when it is called.
    const inForce: boolean[] = [];
    const off = t.gw.ws.onScopesChanged((c) => {
      heard.push(c);
      const session = [...t.gw.ws.sessions].find((s) => s.connId === c.connId);
      inForce.push(session?.scopes === c.scopes);
    });
    try {
      expect(alice.reply.payload.scopes).toEqual([A, R, W]);
      expect(bob.reply.payload.scopes).toEqual([R, W]);
      // Alice is demoted to read; bob (and carol) get nothing but what a rule names; carol is named and keeps read + write.
      const out = await t.rewrite(config({ defaultScopes: [], rules: [{ users: ['alice@example.com'], scopes: [R] }, { users: ['carol@example.com'], scopes: [W] }] }));
      expect(out).toMatchObject({ status: 'applied', recheck: { checked: 3, closed: 0, updated: 2 } });
      const byConn = new Map(heard.map((c) => [c.connId, c]));
      expect(heard).toHaveLength(2);
      expect(byConn.get(alice.reply.payload.server.connId)).toEqual({ connId: alice.reply.payload.server.connId, identity: { user: 'alice@example.com', method: 'trusted-proxy', groups: [] }, scopes: [R], previous: [A, R, W] });
      expect(byConn.get(bob.reply.payload.server.connId)).toMatchObject({ identity: { user: 'bob@example.com' }, scopes: [], previous: [R, W] });
      expect(inForce).toEqual([true, true]);
      expect(await within(alice.client.next((f) => f.event === 'session.updated'), 3000, 'alice updated')).toEqual({ type: 'event', event: 'session.updated', payload: { scopes: [R] } });
      expect(await within(bob.client.next((f) => f.event === 'session.updated'), 3000, 'bob updated')).toMatchObject({ payload: { scopes: [] } });
      expect(carol.client.events.filter((e) => e.event === 'session.updated')).toEqual([]);
      // Still open, and decided on the new scopes.
      expect(await alice.client.request('security.audit')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', reason: 'scope_missing', message: 'security.audit needs operator.admin; you have operator.read' } });
      expect(await bob.client.request('status')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: 'status needs operator.read; you have no scopes' } });
      expect(await carol.client.request('status')).toMatchObject({ ok: true });

      off();
      await t.rewrite(config({ rules: [{ users: ['alice@example.com'], scopes: [A] }] }));
      expect(heard).toHaveLength(2);
      expect(await within(alice.client.next((f) => f.event === 'session.updated'), 3000, 'alice promoted')).toMatchObject({ payload: { scopes: [A, R, W] } });
    } finally {
      off();
      for (const c of [alice, bob, carol]) c.client.close();
    }
  });

  it('logs each refusal for a missing scope with who, what, the scope needed and the scopes held, and the reload with its count', async () => {
    await t.rewrite(config({ defaultScopes: [R] }));
    const { client } = await wsConnect(t.wsUrl, { headers: as('dave@example.com') });
    try {
      await client.request('security.audit');
      const r = await httpRequest(`${t.url}/api/security/audit`, { headers: as('dave@example.com') });
      expect(r.status).toBe(403);
      const lines = t.logs.filter((l) => l.event === 'scope_missing' && l.user === 'dave@example.com');
      expect(lines.map((l) => [l.surface, l.what, l.needed, l.scopes])).toEqual([
        ['ws', 'security.audit', A, [R]],
        ['http', '/api/security/audit', A, [R]],
      ]);
      expect(t.logs.filter((l) => l.event === 'config_reloaded').every((l) => typeof l.sessionsUpdated === 'number')).toBe(true);
    } finally {
      client.close();
    }
  });

  it('sends presence events only to sessions that may list presence (operator.read)', async () => {
    await t.rewrite(config({ defaultScopes: [], rules: [{ users: ['rita@example.com'], scopes: [R] }] }));
    const reader = await wsConnect(t.wsUrl, { headers: as('rita@example.com') });
    const nobody = await wsConnect(t.wsUrl, { headers: as('nobody@example.com') });
    try {
      expect(nobody.reply.payload.scopes).toEqual([]);
      const joiner = await wsConnect(t.wsUrl, { headers: as('joe@example.com') });
      joiner.client.close();
      await within(reader.client.next((f) => f.event === 'presence' && f.payload.entry?.user === 'joe@example.com'), 3000, 'presence to the reader');
      // The same flush went to everyone who gets it; a tick later, the scope-less session still has none.
      await new Promise((r) => setTimeout(r, 300));
      expect(nobody.client.events.filter((e) => e.event === 'presence')).toEqual([]);
      expect(await nobody.client.request('presence.list')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    } finally {
      reader.client.close();
      nobody.client.close();
    }
  });
});
