/**
 * The journal sink, counted: every action recorded through the seam adds one to
 * `mayros_journal_entries_total{kind}` once it is written. Sign-in decisions (`admit`, `refuse`)
 * are passed through uncounted here: the recorder aggregates them, so only it knows how many
 * entries they became (it reports those with `metrics.journalEntries`).
 */
import type { JournalSink } from '../journal/sink.js';
import type { GatewayMetrics } from './seam.js';

export function meteredSink(inner: JournalSink, metrics: GatewayMetrics): JournalSink {
  if (!metrics.enabled) return inner;
  return {
    get enabled() {
      return inner.enabled;
    },
    admit: (user, method, peer, surface) => inner.admit(user, method, peer, surface),
    refuse: (reason, detail, claimedUser, peer, surface) => inner.refuse(reason, detail, claimedUser, peer, surface),
    record(input) {
      inner.record(input);
      // After the write: a record that throws was not kept.
      if (inner.enabled) metrics.journalEntries(input.kind);
    },
  };
}
