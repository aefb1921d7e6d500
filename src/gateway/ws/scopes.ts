/**
 * A session's scopes changing under it (a reload changed the rules): the session is told with a
 * `session.updated` event, and whoever holds work on its behalf is told through a listener, so
 * work the new scopes no longer allow can be stopped (chat runs: ChatRuns.scopesChanged, wired in server.ts).
 */
import { eventFrame } from '../../protocol/frames.js';
import type { ScopeList } from '../../protocol/scopes.js';
import type { SessionUpdatedEvent } from '../../protocol/session.js';
import type { Session } from './session.js';
import { send } from './socket.js';
import type { ScopesChange, WsState } from './state.js';

export type { ScopesChange, ScopesChangedListener } from './state.js';

/**
 * Puts `next` in force for a connected session. Nothing happens when the list is the same:
 * scopesFor returns one shared list per set, so `!==` means "changed". Then the session gets
 * `session.updated {scopes}` and every listener is called; a listener that throws is logged and
 * the others still run. Returns whether the scopes changed.
 */
export function updateScopes(st: WsState, s: Session, next: ScopeList): boolean {
  const previous = s.scopes;
  if (previous === next || !s.identity) return false;
  s.scopes = next;
  const payload: SessionUpdatedEvent = { scopes: next };
  send(st, s, eventFrame('session.updated', payload));
  const change: ScopesChange = { connId: s.connId, identity: s.identity, scopes: next, previous };
  for (const listener of st.scopeListeners) {
    try {
      listener(change);
    } catch (err) {
      st.ctx.logger.error({ event: 'scopes_listener_failed', connId: s.connId, error: (err as Error).message }, 'a listener for changed scopes failed');
    }
  }
  return true;
}
