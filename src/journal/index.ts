/**
 * The journal: an append-only, hash-chained record of who did what, in the gateway's SQLite
 * database. See docs/journal.md.
 */
export { Journal, DEFAULT_PRUNE_BATCH, MAX_PAYLOAD_CHARS, JournalPayloadError, type PruneResult, type RetentionPolicy } from './journal.js';
export { JournalRecorder, floodPolicyOf, retentionOf, PRUNE_INTERVAL_MS, type RecorderOptions, type Timers } from './recorder.js';
export { AuthAggregator, MAX_TRACKED_GROUPS, type FloodPolicy, type AdmitEvent, type RefuseEvent } from './aggregate.js';
export { verifyJournal, verifyRows, describeFailure, type VerifyResult, type VerifyFailure } from './verify.js';
export { listJournal, MAX_LIST_LIMIT, DEFAULT_LIST_LIMIT, type ListQuery, type ListPage } from './list.js';
export { openJournalReadOnly, JournalOpenError } from './open.js';
export { journalSchema, type JournalConfig } from '../config/journal-schema.js';
export { canonicalJson, CanonicalJsonError } from './canonical.js';
export { assertNoSecrets, isSecretKey, JournalSecretError } from './guard.js';
export * from './types.js';
