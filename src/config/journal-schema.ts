/**
 * The `journal` config section: retention and flood control. Every key has a default, so a config
 * without the section journals with them. See docs/configuration.md#journal.
 */
import { z } from 'zod';

export const journalSchema = z
  .object({
    /** Entries older than this many days are removed (oldest first, under a prune anchor). */
    retentionDays: z.number().int().min(1).max(36_500).default(90),
    /** At most this many entries are kept; past it the oldest are removed. */
    maxEntries: z.number().int().min(1000).max(100_000_000).default(500_000),
    /** Repeated admissions and refusals are counted for this long, then summed in one entry. */
    aggregateWindowSec: z.number().int().min(10).max(3600).default(60),
    /** Admission entries (single and per-person summaries) written per minute, at most. */
    admissionsPerMinute: z.number().int().min(1).max(100_000).default(600),
    /** Refusal entries (single and per-group summaries) written per minute, at most. */
    refusalsPerMinute: z.number().int().min(1).max(100_000).default(60),
  })
  .strict();

export type JournalConfig = z.output<typeof journalSchema>;
