/**
 * WebSocket limits: the effective values (from `gateway.limits` plus embedder overrides).
 */
import type { Config } from './schema.js';
import { limitsSchema } from './schema.js';

export interface WsLimits {
  /** Largest inbound message (`gateway.limits.maxFrameBytes`); larger ones close with 1009. */
  maxPayloadBytes: number;
  /**
   * `gateway.limits.handshakeTimeoutMs`: the time a client has to send its HTTP request headers
   * (including the upgrade), and then, once upgraded, to complete `connect`.
   */
  handshakeTimeoutMs: number;
  /** Interval of the `tick` event; not a config key. */
  tickIntervalMs: number;
  /** A client whose unsent data exceeds this is disconnected (slow reader). */
  maxBufferedBytes: number;
  /** Open WebSocket sessions, connected or not. */
  maxConnections: number;
  /** Sessions that have not completed `connect`. */
  maxUnauthenticated: number;
  /** Open WebSocket sessions from one client address (see clientKeyOf). */
  maxConnectionsPerAddress: number;
  /** Sessions from one client address that have not completed `connect`. */
  maxUnauthenticatedPerAddress: number;
  /** Sustained inbound messages per second per connection. */
  maxFramesPerSecond: number;
  /** Messages a connection may send at once before the rate applies. */
  frameBurst: number;
}

const DEFAULT_TICK_INTERVAL_MS = 30_000;

/** The limits a config asks for, with embedder overrides (tests, benchmarks) on top. */
export function limitsFromConfig(config: Config, overrides?: Partial<WsLimits>): WsLimits {
  const l = config.gateway.limits;
  return Object.freeze({
    maxPayloadBytes: l.maxFrameBytes,
    handshakeTimeoutMs: l.handshakeTimeoutMs,
    tickIntervalMs: DEFAULT_TICK_INTERVAL_MS,
    maxBufferedBytes: l.maxBufferedBytes,
    maxConnections: l.maxConnections,
    maxUnauthenticated: l.maxUnauthenticated,
    maxConnectionsPerAddress: l.maxConnectionsPerAddress,
    maxUnauthenticatedPerAddress: l.maxUnauthenticatedPerAddress,
    maxFramesPerSecond: l.maxFramesPerSecond,
    frameBurst: l.frameBurst,
    ...overrides,
  });
}

const defaults = limitsSchema.parse({});

/** The limits of a config that sets none. */
export const DEFAULT_WS_LIMITS: WsLimits = Object.freeze({
  maxPayloadBytes: defaults.maxFrameBytes,
  handshakeTimeoutMs: defaults.handshakeTimeoutMs,
  tickIntervalMs: DEFAULT_TICK_INTERVAL_MS,
  maxBufferedBytes: defaults.maxBufferedBytes,
  maxConnections: defaults.maxConnections,
  maxUnauthenticated: defaults.maxUnauthenticated,
  maxConnectionsPerAddress: defaults.maxConnectionsPerAddress,
  maxUnauthenticatedPerAddress: defaults.maxUnauthenticatedPerAddress,
  maxFramesPerSecond: defaults.maxFramesPerSecond,
  frameBurst: defaults.frameBurst,
});
