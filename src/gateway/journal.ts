/**
 * The journal as the running gateway keeps it: a recorder over the database opened at startup
 * (src/gateway/database.ts), or none when there is no database, said once in the log. A journal
 * failure is logged (rate-limited) and never reaches a request or stops the gateway.
 */
import type { JournalConfig } from '../config/journal-schema.js';
import { Journal } from '../journal/journal.js';
import { JournalRecorder } from '../journal/recorder.js';
import type { JournalSink } from '../journal/sink.js';
import type { JournalInput, ReloadSource } from '../journal/types.js';
import type { ReloadOutcome } from '../reload/reloader.js';
import type { DatabaseState } from '../store/state.js';
import { LogLimiter, type Logger } from './log.js';

/** Longest reload error text recorded (the log line has all of it). */
const MAX_ERROR_CHARS = 2000;

function errorFields(err: unknown): Record<string, unknown> {
  const e = err as { code?: unknown; name?: unknown; message?: unknown };
  return { code: typeof e?.code === 'string' ? e.code : undefined, error: typeof e?.name === 'string' ? e.name : 'error', detail: typeof e?.message === 'string' ? e.message : String(err) };
}

/**
 * Starts the recorder when the database is open; otherwise returns undefined (the gateway keeps
 * NO_JOURNAL) and logs why. Never throws: a recorder that cannot start is logged like a write failure.
 */
export function startGatewayJournal(database: DatabaseState, config: JournalConfig, logger: Logger, now: () => number, onWritten?: (entries: readonly JournalInput[]) => void): JournalRecorder | undefined {
  if (database.state !== 'open') {
    const why = database.state === 'off' ? 'the embedder opened no database' : `the database is unavailable (${database.error.code})`;
    logger.warn({ event: 'journal_off', file: database.state === 'off' ? undefined : database.file, why }, `journal off: ${why}; sign-ins and actions are not recorded`);
    return undefined;
  }
  const limiter = new LogLimiter(1, 10, now);
  const onError = (err: unknown) => {
    const suppressed = limiter.take();
    if (suppressed < 0) return;
    logger.error({ event: 'journal_write_failed', file: database.file, ...errorFields(err), ...(suppressed ? { suppressed } : {}) }, 'could not write to the journal; requests are served meanwhile');
  };
  try {
    const recorder = new JournalRecorder(new Journal(database.db, database.file, { now }), config, { now, onError, onWritten });
    recorder.start();
    logger.info({ event: 'journal_started', file: database.file, retentionDays: config.retentionDays, maxEntries: config.maxEntries }, 'journal on: recording sign-ins, reloads and actions');
    return recorder;
  } catch (err) {
    onError(err);
    logger.warn({ event: 'journal_off', file: database.file, why: 'the journal could not start' }, 'journal off: the journal could not start; sign-ins and actions are not recorded');
    return undefined;
  }
}

/** The journal entry for a finished reload (a pure function of what asked for it and how it went). */
export function reloadEntry(source: ReloadSource, outcome: ReloadOutcome): JournalInput {
  const actor = { type: 'system' } as const;
  if (outcome.status === 'applied') {
    return { kind: 'reload', actor, payload: { source, result: 'applied', generation: outcome.generation, paths: outcome.changed, ...(outcome.restartRequired.length ? { pendingRestart: outcome.restartRequired } : {}), ...(outcome.recheck.closed ? { sessionsClosed: outcome.recheck.closed } : {}) } };
  }
  if (outcome.status === 'unchanged') return { kind: 'reload', actor, payload: { source, result: 'unchanged', generation: outcome.generation } };
  const issues = outcome.error.issues;
  const text = issues.map((i) => `${i.path || '(file)'}: ${i.message}${i.fix ? `; fix: ${i.fix}` : ''}`).join('\n');
  return {
    kind: 'reload',
    actor,
    payload: { source, result: 'rejected', generation: outcome.generation, paths: issues.map((i) => i.path || '(file)'), error: text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS - 1)}…` : text },
  };
}

/** Records a finished reload; a failure to write is logged, never thrown (the reload already happened). */
export function recordReload(sink: JournalSink, source: ReloadSource, outcome: ReloadOutcome, logger: Logger): void {
  if (!sink.enabled) return;
  try {
    sink.record(reloadEntry(source, outcome));
  } catch (err) {
    logger.error({ event: 'journal_write_failed', kind: 'reload', ...errorFields(err) }, 'could not record the reload in the journal');
  }
}
