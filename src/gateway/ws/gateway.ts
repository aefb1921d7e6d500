/**
 * The WebSocket adapter at the gateway root, wired: the shared state, the `tick` and presence
 * events, the session-age sweep, and shutdown. Upgrades are admitted and decided in upgrade.ts,
 * frames dispatched in dispatch.ts, sessions re-checked after a reload in recheck.ts. Trusted-proxy
 * mode decides at the upgrade from the upgrade request's headers; token and password modes decide
 * on the `connect` frame.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { eventFrame } from '../../protocol/frames.js';
import { REASONS } from '../../protocol/reasons.js';
import { presenceList } from '../../methods/presence.js';
import type { Generation } from '../../reload/generation.js';
import type { RecheckReport } from '../../reload/reloader.js';
import type { GatewayContext } from '../context.js';
import { gatewayFacts } from '../facts.js';
import { LogLimiter } from '../log.js';
import { AddressCounts } from './address-caps.js';
import { closeSession } from './close.js';
import { PresenceFanout } from './presence-fanout.js';
import { recheckAll } from './recheck.js';
import { EXPIRY_SWEEP_MS, expireDue, type Session } from './session.js';
import { broadcast, createWsServer, send } from './socket.js';
import type { ScopesChangedListener, WsState } from './state.js';
import { handleUpgrade } from './upgrade.js';

export type { Session } from './session.js';
export type { ScopesChange, ScopesChangedListener } from './state.js';

export class WsGateway {
  private readonly st: WsState;
  private readonly tick: NodeJS.Timeout;
  /** The one session-age sweep (see expireDue). */
  private readonly sweep: NodeJS.Timeout;
  private readonly fanout: PresenceFanout;

  constructor(ctx: GatewayContext) {
    const limits = ctx.generation.limits;
    const st: WsState = {
      ctx,
      sessions: new Set<Session>(),
      pendingUpgrades: new Set<Duplex>(),
      addresses: new AddressCounts(),
      sockets: 0,
      pending: 0,
      closed: false,
      socketClosed: () => {
        st.sockets--;
      },
      signInLog: new LogLimiter(undefined, undefined, () => ctx.now()),
      scopeListeners: new Set<ScopesChangedListener>(),
      facts: gatewayFacts(ctx),
      server: createWsServer(limits.maxPayloadBytes),
      serverBytes: limits.maxPayloadBytes,
    };
    this.st = st;
    this.tick = setInterval(() => broadcast(st, eventFrame('tick', { ts: ctx.now() })), limits.tickIntervalMs);
    this.tick.unref();
    const expire = (s: Session): void => closeSession(st, s, { reason: 'session_expired' }, { event: 'session_closed' });
    this.sweep = setInterval(() => expireDue(st.sessions, ctx.now(), expire), EXPIRY_SWEEP_MS);
    this.sweep.unref();
    // Who is connected is what presence.list answers: only to sessions that may call it.
    this.fanout = new PresenceFanout(ctx.presence, (payload) => broadcast(st, eventFrame('presence', payload), presenceList.scope));
  }

  /** The `upgrade` listener for the HTTP server(s). */
  readonly handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => handleUpgrade(this.st, req, socket, head);

  /** Re-checks every open session against `gen` (see recheck.ts). */
  recheckAll(gen: Generation): Promise<RecheckReport> {
    return recheckAll(this.st, gen);
  }

  /**
   * Calls `listener` whenever a reload changes a connected session's scopes (after the session's
   * `session.updated` event), with the session's connId, identity and old and new scopes: the hook
   * for whatever runs on a session's behalf (chat runs) to stop what the new scopes no longer
   * allow. Returns the function that removes it.
   */
  onScopesChanged(listener: ScopesChangedListener): () => void {
    this.st.scopeListeners.add(listener);
    return () => this.st.scopeListeners.delete(listener);
  }

  /** Open sessions, connected or not. */
  get sessions(): ReadonlySet<Session> {
    return this.st.sessions;
  }

  /** What each client address holds (the per-address caps). */
  get addresses(): AddressCounts {
    return this.st.addresses;
  }

  get connectedCount(): number {
    return this.st.sessions.size - this.st.pending;
  }

  /** Sessions that have not completed `connect`. */
  get pendingCount(): number {
    return this.st.pending;
  }

  /** Upgrades waiting for a signed assertion to be verified. */
  get pendingUpgradeCount(): number {
    return this.st.pendingUpgrades.size;
  }

  /** Tells every client the gateway is going away, then closes with gateway_shutdown (1001). */
  shutdown(): void {
    const st = this.st;
    st.closed = true;
    for (const socket of st.pendingUpgrades) socket.destroy();
    st.pendingUpgrades.clear();
    clearInterval(this.tick);
    clearInterval(this.sweep);
    this.fanout.close();
    for (const s of st.sessions) {
      clearTimeout(s.timer);
      if (s.identity) send(st, s, eventFrame('shutdown', { reason: 'gateway shutting down' }));
      s.closing = true;
      s.ws.close(REASONS.gateway_shutdown.closeCode, 'gateway_shutdown');
    }
  }

  /** Ends sockets that did not finish their close handshake. */
  terminateAll(): void {
    for (const s of this.st.sessions) s.ws.terminate();
  }
}
