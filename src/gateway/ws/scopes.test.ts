import { describe, expect, it } from 'vitest';
import { resolvedConfig } from '../../config/load.js';
import { DEFAULT_WS_LIMITS } from '../../config/limits.js';
import { parseConfigObject } from '../../config/parse.js';
import type { Identity } from '../../protocol/identity.js';
import { expandScopes, NO_SCOPES, type ScopeList } from '../../protocol/scopes.js';
import { buildGeneration, type Generation } from '../../reload/generation.js';
import { viaTcp } from '../../net/transport.js';
import { recheckAll, recheckOne } from './recheck.js';
import { updateScopes, type ScopesChange, type ScopesChangedListener } from './scopes.js';
import type { Session } from './session.js';
import type { WsState } from './state.js';

const R = 'operator.read';
const W = 'operator.write';
const A = 'operator.admin';
const alice: Identity = { user: 'alice', method: 'trusted-proxy', groups: [] };

/** A connected session whose socket records the frames sent to it. */
function session(identity: Identity | undefined, scopes: ScopeList): Session & { sent: any[]; closedWith?: unknown[] } {
  const sent: any[] = [];
  const s = {
    connId: `c-${Math.random()}`,
    peer: '127.0.0.1',
    addressKey: undefined,
    connectedAt: 0,
    identity,
    preAuthorized: undefined,
    scopes,
    client: {},
    timer: undefined,
    expiresAt: 0,
    facts: { via: viaTcp('127.0.0.1'), at: 0, headers: { 'x-user': 'alice', host: '127.0.0.1:1' } },
    req: undefined,
    closing: false,
    sent,
  } as unknown as Session & { sent: any[]; closedWith?: unknown[] };
  (s as { ws: unknown }).ws = { OPEN: 1, readyState: 1, bufferedAmount: 0, send: (d: unknown) => sent.push(JSON.parse(String(d))), close: (...a: unknown[]) => (s.closedWith = a) };
  return s;
}

function gen(authorization: Record<string, unknown> | undefined, allowUsers?: string[]): Generation {
  const gateway = { trustedProxies: ['127.0.0.1'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-user', ...(allowUsers && { allowUsers }) } }, ...(authorization && { authorization }) };
  return buildGeneration(resolvedConfig({ file: '/x.json', fileFound: true, stateDir: '/tmp', config: parseConfigObject({ gateway }), sources: new Map() }), { n: 2, now: 0 });
}

function state(sessions: Session[], g: Generation, listeners: ScopesChangedListener[] = [], logged: unknown[] = []): WsState {
  const ctx = { generation: g, now: () => 0, rejectLog: { take: () => 0 }, logger: { error: (o: unknown) => logged.push(o), warn: () => undefined } };
  return { ctx, sessions: new Set(sessions), scopeListeners: new Set(listeners) } as unknown as WsState;
}

const ADMIN = { rules: [{ users: ['alice'], scopes: [A] }] };
const NOTHING = { defaultScopes: [], rules: [] };

describe('updateScopes', () => {
  it('tells the session and every listener, once per change, and does nothing when the list is the same', () => {
    const s = session(alice, expandScopes([R, W]));
    const heard: ScopesChange[] = [];
    const st = state([s], gen(undefined), [(c) => heard.push(c)]);
    expect(updateScopes(st, s, expandScopes([A]))).toBe(true);
    expect(s.scopes).toEqual([A, R, W]);
    expect(s.sent).toEqual([{ type: 'event', event: 'session.updated', payload: { scopes: [A, R, W] } }]);
    expect(heard).toEqual([{ connId: s.connId, identity: alice, scopes: [A, R, W], previous: [R, W] }]);
    // The same shared list: no event, no call.
    expect(updateScopes(st, s, expandScopes([R, A]))).toBe(false);
    expect(s.sent).toHaveLength(1);
    expect(heard).toHaveLength(1);
  });

  it('runs every listener even when one throws, and logs the throw', () => {
    const s = session(alice, expandScopes([R]));
    const heard: string[] = [];
    const logged: any[] = [];
    const st = state([s], gen(undefined), [() => { throw new Error('boom'); }, (c) => heard.push(c.connId)], logged);
    expect(updateScopes(st, s, NO_SCOPES)).toBe(true);
    expect(heard).toEqual([s.connId]);
    expect(logged).toEqual([{ event: 'scopes_listener_failed', connId: s.connId, error: 'boom' }]);
  });

  it('leaves a session that has not connected alone', () => {
    const s = session(undefined, NO_SCOPES);
    expect(updateScopes(state([s], gen(undefined)), s, expandScopes([A]))).toBe(false);
    expect(s.sent).toEqual([]);
  });
});

describe('a reload\'s re-check', () => {
  it.each<[string, Record<string, unknown> | undefined, ScopeList, string[] | undefined]>([
    ['a rule that names the user promotes the open session', ADMIN, expandScopes([R, W]), [A, R, W]],
    ['defaultScopes [] takes everything away, the session stays open', NOTHING, expandScopes([R, W]), []],
    ['the same scopes: no event', undefined, expandScopes([R, W]), undefined],
  ])('%s', (_name, authorization, before, after) => {
    const s = session(alice, before);
    const heard: ScopesChange[] = [];
    const g = gen(authorization);
    const out = recheckOne(state([s], g, [(c) => heard.push(c)]), s, g);
    expect(out).toEqual({ kept: true, scopesChanged: after !== undefined });
    expect(s.closedWith).toBeUndefined();
    if (after === undefined) {
      expect(s.sent).toEqual([]);
      expect(heard).toEqual([]);
    } else {
      expect(s.scopes).toEqual(after);
      expect(s.sent).toEqual([{ type: 'event', event: 'session.updated', payload: { scopes: after } }]);
      expect(heard.map((c) => [c.connId, c.scopes])).toEqual([[s.connId, after]]);
    }
  });

  it('closes a session the new rules refuse, without a scopes event', () => {
    const s = session(alice, expandScopes([R, W]));
    const heard: ScopesChange[] = [];
    const g = gen(ADMIN, ['bob']);
    expect(recheckOne(state([s], g, [(c) => heard.push(c)]), s, g)).toEqual({ closed: 'trusted_proxy_user_not_allowed' });
    expect(s.closedWith).toEqual([1008, 'trusted_proxy_user_not_allowed']);
    expect(heard).toEqual([]);
    expect(s.sent.filter((f) => f.event === 'session.updated')).toEqual([]);
  });

  it('counts the sessions whose scopes changed', async () => {
    const promoted = session(alice, expandScopes([R, W]));
    const same = session(alice, expandScopes([A]));
    const waiting = session(undefined, NO_SCOPES);
    const g = gen(ADMIN);
    expect(await recheckAll(state([promoted, same, waiting], g), g)).toEqual({ checked: 3, closed: 0, updated: 1, byReason: {} });
    expect(waiting.scopes).toBe(NO_SCOPES);
    expect(waiting.preAuthorized).toMatchObject({ user: 'alice' });
  });
});
