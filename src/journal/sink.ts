/**
 * Where the gateway's parts send what the journal records. The gateway holds one sink: the
 * journal's recorder when the database is open, {@link NO_JOURNAL} otherwise, so a method records
 * an action the same way whether or not a journal is there to keep it.
 */
import type { AuthMode } from '../config/schema.js';
import type { JournalInput, Surface } from './types.js';

export interface JournalSink {
  /** Whether entries are kept (false for {@link NO_JOURNAL}). */
  readonly enabled: boolean;
  /** An admitted request or session (aggregated by the recorder, not written per request). */
  admit(user: string | null, method: AuthMode, peer: string, surface: Surface): void;
  /** A refused request or session (first of a kind written at once, a flood summarised). */
  refuse(reason: string, detail: string | undefined, claimedUser: string | null, peer: string, surface: Surface): void;
  /** A state-changing action, written at once; throws (StoreError or a payload error) when it cannot be. */
  record(input: JournalInput): void;
}

/** The sink when there is no journal (no database, or an embedder that opened none). */
export const NO_JOURNAL: JournalSink = Object.freeze({
  enabled: false,
  admit() {},
  refuse() {},
  record() {},
});
