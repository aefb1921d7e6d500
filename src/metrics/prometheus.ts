/**
 * The gateway's metrics in Prometheus form (prom-client), one registry per gateway (never the
 * library's global one: an embedder may run several gateways in one process). Names follow the
 * Prometheus conventions: the `mayros_` prefix, `_total` on counters, seconds as the base unit.
 * docs/operations.md lists every metric.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AuthMode } from '../config/schema.js';
import type { GatewayMetrics, ProviderOutcome, ReloadResult } from './seam.js';

/** Provider latency buckets (seconds): chat completions take from a tenth of a second to minutes. */
export const PROVIDER_BUCKETS = Object.freeze([0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80, 160]);

const MAX_CHAT_STATES = 20;
const MAX_PROVIDERS = 50;
const MAX_JOURNAL_KINDS = 50;

export interface PromMetricsOptions {
  /** Sessions open now (read at each scrape). */
  openSessions: () => number;
  /** The gateway's version, for `mayros_build_info`. */
  version: string;
}

/** A label value from a set that may grow from outside: the first `max` values, then `other`. */
class BoundedLabels {
  private readonly seen = new Set<string>();
  constructor(private readonly max: number) {}
  of(value: string): string {
    const v = /^[A-Za-z0-9_.:-]{1,64}$/.test(value) ? value : 'other';
    if (this.seen.has(v)) return v;
    if (this.seen.size >= this.max) return 'other';
    this.seen.add(v);
    return v;
  }
}

export class PromMetrics implements GatewayMetrics {
  readonly enabled = true;
  readonly registry = new Registry();
  /** Auth decisions, counted without allocating: mode -> reason ('' when admitted) -> count. */
  private readonly decisions = new Map<string, Map<string, number>>();
  private readonly reloads: Counter<'result'>;
  private readonly journal: Counter<'kind'>;
  private readonly chatRuns: Counter<'state'>;
  private readonly provider: Histogram<'provider' | 'outcome'>;
  private readonly chatStates = new BoundedLabels(MAX_CHAT_STATES);
  private readonly providers = new BoundedLabels(MAX_PROVIDERS);
  private readonly journalKinds = new BoundedLabels(MAX_JOURNAL_KINDS);

  constructor(opts: PromMetricsOptions) {
    const registers = [this.registry];
    const decisions = this.decisions;
    new Counter({
      name: 'mayros_auth_decisions_total',
      help: 'Authentication decisions on HTTP requests and WebSocket sessions, by auth mode, result (admitted or refused) and reason code (empty when admitted).',
      labelNames: ['mode', 'result', 'reason'] as const,
      registers,
      collect() {
        this.reset();
        for (const [mode, byReason] of decisions) {
          for (const [reason, n] of byReason) this.inc({ mode, result: reason ? 'refused' : 'admitted', reason }, n);
        }
      },
    });
    new Gauge({
      name: 'mayros_sessions_open',
      help: 'WebSocket sessions connected now (those that completed connect).',
      registers,
      collect() {
        this.set(opts.openSessions());
      },
    });
    new Gauge({ name: 'mayros_build_info', help: 'Always 1; the version label says which gateway runs.', labelNames: ['version'] as const, registers }).set({ version: opts.version }, 1);
    this.reloads = new Counter({ name: 'mayros_config_reloads_total', help: 'Config reloads, by result: applied, unchanged, or rejected (the config in force stays).', labelNames: ['result'] as const, registers });
    for (const result of ['applied', 'unchanged', 'rejected'] as const) this.reloads.inc({ result }, 0);
    this.journal = new Counter({ name: 'mayros_journal_entries_total', help: 'Entries appended to the journal, by kind.', labelNames: ['kind'] as const, registers });
    this.chatRuns = new Counter({ name: 'mayros_chat_runs_total', help: 'Chat runs that reached their final state, by that state.', labelNames: ['state'] as const, registers });
    this.provider = new Histogram({
      name: 'mayros_provider_request_duration_seconds',
      help: 'Duration of requests to model providers, by configured provider name and outcome (ok or error).',
      labelNames: ['provider', 'outcome'] as const,
      buckets: [...PROVIDER_BUCKETS],
      registers,
    });
  }

  authDecision(mode: AuthMode, reason: string | null): void {
    let byReason = this.decisions.get(mode);
    if (byReason === undefined) {
      byReason = new Map();
      this.decisions.set(mode, byReason);
    }
    const key = reason ?? '';
    byReason.set(key, (byReason.get(key) ?? 0) + 1);
  }

  reload(result: ReloadResult): void {
    this.reloads.inc({ result });
  }

  journalEntries(kind: string, count = 1): void {
    if (count > 0 && Number.isFinite(count)) this.journal.inc({ kind: this.journalKinds.of(kind) }, count);
  }

  chatRun(state: string): void {
    this.chatRuns.inc({ state: this.chatStates.of(state) });
  }

  providerRequest(provider: string, seconds: number, outcome: ProviderOutcome): void {
    if (!(seconds >= 0) || !Number.isFinite(seconds)) return;
    this.provider.observe({ provider: this.providers.of(provider), outcome: outcome === 'ok' ? 'ok' : 'error' }, seconds);
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
