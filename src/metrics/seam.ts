/**
 * What the gateway's parts count, for `GET /metrics` (src/metrics/prometheus.ts). The gateway holds
 * one: the Prometheus registry when `gateway.metrics.enabled`, {@link NO_METRICS} otherwise, so a
 * part counts the same way whether or not anyone scrapes. Every function is cheap and never throws.
 *
 * Chat runs call `chatRun` once per run when it reaches its final state, and
 * `providerRequest` once per request to a model provider, with its duration.
 */
import type { AuthMode } from '../config/schema.js';

export type ReloadResult = 'applied' | 'unchanged' | 'rejected';

/** Whether a provider request answered (`ok`) or failed (an error, a timeout, a cancel). */
export type ProviderOutcome = 'ok' | 'error';

export interface GatewayMetrics {
  /** False for {@link NO_METRICS}. */
  readonly enabled: boolean;
  /**
   * One auth decision (an HTTP request or a WebSocket session): `reason` is the refusal's wire
   * code, or null when admitted. On the request path: allocates nothing.
   */
  authDecision(mode: AuthMode, reason: string | null): void;
  /** One reload, by how it ended. */
  reload(result: ReloadResult): void;
  /** Entries appended to the journal, by kind (`config.patch`, `auth.refuse`, ...). */
  journalEntries(kind: string, count?: number): void;
  /**
   * A chat run reached its final state (`completed`, `failed`, `cancelled`, ...: the chat engine's
   * own words, lower case). At most 20 distinct states are kept as labels; others count as `other`.
   */
  chatRun(state: string): void;
  /**
   * One request to a model provider took `seconds` (wall clock, first byte sent to last byte
   * read). `provider` is the configured provider name; at most 50 distinct names are kept.
   */
  providerRequest(provider: string, seconds: number, outcome: ProviderOutcome): void;
}

/** The metrics when none are kept. */
export const NO_METRICS: GatewayMetrics = Object.freeze({
  enabled: false,
  authDecision() {},
  reload() {},
  journalEntries() {},
  chatRun() {},
  providerRequest() {},
});
