/**
 * Counting journal entries for `mayros_journal_entries_total`: the recorder reports every batch it
 * wrote (actions, and the admission and refusal entries its aggregator makes), counted by kind.
 */
import type { JournalInput } from '../journal/types.js';
import type { GatewayMetrics } from './seam.js';

/** The recorder's onWritten for `metrics`, or undefined when metrics are off. */
export function journalCounter(metrics: GatewayMetrics): ((entries: readonly JournalInput[]) => void) | undefined {
  if (!metrics.enabled) return undefined;
  return (entries) => {
    for (const e of entries) metrics.journalEntries(e.kind);
  };
}
