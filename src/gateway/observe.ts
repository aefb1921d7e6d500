/**
 * Wiring for the gateway's own observability: the metrics registry (or none), its listener, and
 * the log followers' lifetimes (a follower is dropped when its session closes or a reload takes
 * operator.admin away from it; it must ask `logs.tail` again to follow).
 */
import type { MetricsConfig } from '../config/metrics-schema.js';
import { parseListenAddress } from '../net/listen-address.js';
import { allows } from '../protocol/scopes.js';
import type { GatewayLogs } from '../logs/index.js';
import { PromMetrics } from '../metrics/prometheus.js';
import { NO_METRICS, type GatewayMetrics } from '../metrics/seam.js';
import type { Logger } from './log.js';
import { startMetricsListener, type MetricsListener } from './metrics-listener.js';
import type { Presence } from './presence.js';
import type { ScopesChangedListener } from './ws/state.js';

/** PromMetrics when metrics are enabled, else NO_METRICS. */
export function metricsFor(config: MetricsConfig, openSessions: () => number, version: string): GatewayMetrics {
  return config.enabled ? new PromMetrics({ openSessions, version }) : NO_METRICS;
}

export interface Observability {
  /** The metrics URL when the listener runs. */
  readonly metricsUrl: string | undefined;
  close(): Promise<void>;
}

export async function startObservability(
  deps: { metrics: GatewayMetrics; config: MetricsConfig; logs: GatewayLogs; presence: Presence; logger: Logger },
  onScopesChanged: (l: ScopesChangedListener) => () => void,
): Promise<Observability> {
  const { logs } = deps;
  const offLeave = deps.presence.onChange((c) => {
    if (c.change === 'leave') logs.followers.unfollow(c.entry.connId);
  });
  const offScopes = onScopesChanged((c) => {
    if (!allows(c.scopes, 'operator.admin')) logs.followers.unfollow(c.connId);
  });
  let listener: MetricsListener | undefined;
  if (deps.metrics instanceof PromMetrics) {
    const at = parseListenAddress(deps.config.listen);
    // The schema refused an unparsable address already.
    if ('error' in at) throw new Error(`gateway.metrics.listen: ${at.error}`);
    try {
      listener = await startMetricsListener(deps.metrics, at, deps.logger);
    } catch (err) {
      offLeave();
      offScopes();
      const e = err as NodeJS.ErrnoException;
      throw new Error(`cannot listen for metrics on ${deps.config.listen} (gateway.metrics.listen): ${e.code ?? e.message}; choose a free address and port, or set gateway.metrics.enabled to false`, { cause: err });
    }
  }
  return {
    metricsUrl: listener?.url,
    async close() {
      offLeave();
      offScopes();
      logs.followers.close();
      await listener?.close();
    },
  };
}
