/**
 * What the parts of the WebSocket adapter share: the open sessions and the counts the connection
 * caps read. Owned by WsGateway (gateway.ts); the other files take it as their first argument.
 */
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import type { GatewayFacts } from '../../methods/registry.js';
import type { GatewayContext } from '../context.js';
import type { LogLimiter } from '../log.js';
import type { AddressCounts } from './address-caps.js';
import type { Identity } from '../../protocol/identity.js';
import type { ScopeList } from '../../protocol/scopes.js';
import type { Session } from './session.js';

/** One session's new scopes, as a listener hears it (see scopes.ts). */
export interface ScopesChange {
  readonly connId: string;
  /** The identity the session connected with. */
  readonly identity: Identity;
  /** The new scopes (sorted, expanded, shared: compare, never change). */
  readonly scopes: ScopeList;
  readonly previous: ScopeList;
}

export type ScopesChangedListener = (change: ScopesChange) => void;

export interface WsState {
  readonly ctx: GatewayContext;
  readonly sessions: Set<Session>;
  /** Upgrade sockets waiting for a signed assertion to be verified. */
  readonly pendingUpgrades: Set<Duplex>;
  /** The counts per client address, for the per-address caps. */
  readonly addresses: AddressCounts;
  /** Upgraded sockets: sessions plus refusals still closing. */
  sockets: number;
  /** Sessions that have not completed `connect`. */
  pending: number;
  /** Set by shutdown: upgrades still being decided are dropped. */
  closed: boolean;
  /**
   * One 'close' listener for every socket (sockets--): a closure made per upgrade would share that
   * call's scope and keep its request (headers and all) alive for the whole session.
   */
  readonly socketClosed: () => void;
  /** Sign-in lines: as many as the rejection log allows, counted apart from it. */
  readonly signInLog: LogLimiter;
  /** Called when a reload changes a connected session's scopes (see scopes.ts). */
  readonly scopeListeners: Set<ScopesChangedListener>;
  /** What methods may read of the gateway (one object; every read is live). */
  readonly facts: GatewayFacts;
  /** The ws server for `serverBytes`, the message-size limit it was made with (see upgrade.ts). */
  server: WebSocketServer;
  serverBytes: number;
}
