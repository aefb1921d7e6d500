import { describe, expect, it } from 'vitest';
import type { RawData } from 'ws';
import { DEFAULT_WS_LIMITS } from '../../config/limits.js';
import type { Identity } from '../../protocol/identity.js';
import { expandScopes, NO_SCOPES, type ScopeList } from '../../protocol/scopes.js';
import { TokenBucket } from '../token-bucket.js';
import { emitTo, onMessage } from './dispatch.js';
import type { Session } from './session.js';
import type { WsState } from './state.js';

/** A session whose socket records what is sent to it. */
function session(identity: Identity | undefined, scopes: ScopeList = NO_SCOPES): Session & { sent: unknown[] } {
  const sent: unknown[] = [];
  const ws = { OPEN: 1, readyState: 1, bufferedAmount: 0, send: (d: unknown) => sent.push(JSON.parse(String(d))), close: () => undefined };
  return { connId: `c-${Math.random()}`, ws, peer: '127.0.0.1', addressKey: undefined, connectedAt: 0, identity, preAuthorized: undefined, scopes, client: {}, timer: undefined, expiresAt: 0, facts: { peer: '127.0.0.1', at: 0, headers: {} }, bucket: new TokenBucket(100, 0), req: undefined, closing: false, sent } as unknown as Session & { sent: unknown[] };
}

function state(sessions: Session[], logged: unknown[] = []): WsState {
  const ctx = { generation: { limits: DEFAULT_WS_LIMITS }, now: () => 0, rejectLog: { take: () => 0 }, logger: { info: (o: unknown) => logged.push(o) } };
  return { ctx, sessions: new Set(sessions), facts: { clients: sessions.length } } as unknown as WsState;
}

const alice: Identity = { user: 'alice', method: 'trusted-proxy', groups: [] };
const bob: Identity = { user: 'bob', method: 'trusted-proxy', groups: [] };
const frame = (o: unknown) => Buffer.from(JSON.stringify(o)) as RawData;

describe('onMessage', () => {
  it('calls a method through the registry and answers with its payload', () => {
    const s = session(alice, expandScopes(['operator.read']));
    onMessage(state([s]), s, frame({ type: 'req', id: 1, method: 'whoami' }), false);
    expect(s.sent).toEqual([{ type: 'res', id: 1, ok: true, payload: { ...alice, scopes: ['operator.read'] } }]);
  });

  it('answers a call the session\'s scopes do not allow with FORBIDDEN scope_missing, logs it, and keeps the session', () => {
    const s = session(alice, expandScopes(['operator.write']));
    const logged: unknown[] = [];
    onMessage(state([s], logged), s, frame({ type: 'req', id: 7, method: 'security.audit', params: { scopes: ['operator.admin'] } }), false);
    expect(s.sent).toEqual([{ type: 'res', id: 7, ok: false, error: { code: 'FORBIDDEN', reason: 'scope_missing', message: 'security.audit needs operator.admin; you have operator.read, operator.write' } }]);
    expect(s.closing).toBe(false);
    expect(logged).toEqual([{ event: 'scope_missing', user: 'alice', method: 'trusted-proxy', what: 'security.audit', needed: 'operator.admin', scopes: ['operator.read', 'operator.write'], peer: '127.0.0.1', surface: 'ws', connId: s.connId }]);
  });

  it('answers the registry\'s errors and frame errors with their table codes, leaving the socket open', () => {
    const s = session(alice);
    const st = state([s]);
    onMessage(st, s, frame({ type: 'req', id: 2, method: 'nope' }), false);
    onMessage(st, s, frame({ type: 'req', id: 3, method: 'connect' }), false);
    onMessage(st, s, Buffer.from('{') as RawData, false);
    onMessage(st, s, frame({ type: 'req', id: 4, method: 'whoami' }), true);
    expect(s.sent.map((f) => (f as { error: { code: string } }).error.code)).toEqual(['UNKNOWN_METHOD', 'ALREADY_CONNECTED', 'INVALID_FRAME', 'INVALID_FRAME']);
    expect(s.closing).toBe(false);
  });
});

describe('emitTo', () => {
  it('reaches every open session of the identity, and no one else', () => {
    const a1 = session(alice);
    const a2 = session(alice);
    const b = session(bob);
    const tokenAlice = session({ user: 'alice', method: 'token', groups: [] });
    const waiting = session(undefined);
    emitTo(state([a1, a2, b, tokenAlice, waiting]), alice, 'note', { n: 1 });
    const event = { type: 'event', event: 'note', payload: { n: 1 } };
    expect([a1.sent, a2.sent, b.sent, tokenAlice.sent, waiting.sent]).toEqual([[event], [event], [], [], []]);
  });
});
