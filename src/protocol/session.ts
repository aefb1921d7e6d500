/**
 * What a client learns about its own session: the `hello-ok` answer to `connect`, the `whoami`
 * result (WebSocket method and GET /api/whoami), and the payloads of the events the gateway sends.
 */
import type { AuthMode, Identity } from './identity.js';
import type { ChatEvent } from './chat.js';
import type { PresenceEvent } from './presence.js';
import type { ScopeList } from './scopes.js';

/** The identity with the scopes it has now: the `whoami` result, over HTTP and WebSocket. */
export interface Whoami extends Identity {
  /** Sorted and expanded (an admin's list holds all three); from the gateway's rules only. */
  scopes: ScopeList;
}

/** The payload of a successful `connect`. */
export interface HelloOk {
  type: 'hello-ok';
  protocol: number;
  identity: Identity;
  /** The session's scopes at connect; a `session.updated` event brings the new list when they change. */
  scopes: ScopeList;
  server: { version: string; connId: string };
  policy: { maxPayloadBytes: number; tickIntervalMs: number; authMode: AuthMode };
}

/** `session.updated`: a config reload changed what this session may do (it stays open). */
export interface SessionUpdatedEvent {
  scopes: ScopeList;
}

/** `tick`: a heartbeat every `policy.tickIntervalMs`. */
export interface TickEvent {
  /** The gateway's clock (ms since the epoch). */
  ts: number;
}

/** `shutdown`: sent to every connected session just before the gateway closes it with 1001. */
export interface ShutdownEvent {
  reason: string;
}

/** `refused`: just before a trusted-proxy refusal closes the socket, whose sign-in was refused. */
export interface RefusedEvent {
  reason: string;
  claimedUser: string;
}

/** Each event's payload, by name. */
export interface EventPayloads {
  tick: TickEvent;
  presence: PresenceEvent;
  'session.updated': SessionUpdatedEvent;
  shutdown: ShutdownEvent;
  refused: RefusedEvent;
  chat: ChatEvent;
}
