/**
 * The adapter between the gateway and the journal: feeds sign-in decisions through the flood
 * aggregator, flushes it on a timer, runs retention, and never lets a journal failure reach a
 * request. Clock and timers come in through the constructor (tests drive them by hand).
 *
 * Sign-in entries that cannot be written (a full disk) are counted, and one `journal.lost` entry
 * records how many once writing works again. State-changing actions (`record`) are written at
 * once and throw on failure: the caller decides whether the action may go ahead unrecorded.
 */
import type { AuthMode } from '../config/schema.js';
import { StoreError } from '../store/errors.js';
import { AuthAggregator, type FloodPolicy } from './aggregate.js';
import type { Journal, RetentionPolicy } from './journal.js';
import type { JournalConfig } from '../config/journal-schema.js';
import type { JournalEntry, JournalInput, Surface } from './types.js';
import type { JournalSink } from './sink.js';

/** Retention runs at start and then this often. */
export const PRUNE_INTERVAL_MS = 3600_000;

export interface Timers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
  /** Runs `fn` soon, after pending I/O (between retention batches). */
  defer(fn: () => void): void;
}

const nodeTimers: Timers = {
  setInterval: (fn, ms) => setInterval(fn, ms).unref(),
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
  defer: (fn) => void setImmediate(fn),
};

export interface RecorderOptions {
  now?: () => number;
  timers?: Timers;
  /** Told about every failure (to log it); never throws into a request. */
  onError?: (err: unknown) => void;
  /** Told about the entries of each successful write (to count them: `mayros_journal_entries_total`). */
  onWritten?: (entries: readonly JournalInput[]) => void;
}

export function floodPolicyOf(c: JournalConfig): FloodPolicy {
  return { windowMs: c.aggregateWindowSec * 1000, admissionsPerMinute: c.admissionsPerMinute, refusalsPerMinute: c.refusalsPerMinute };
}

export function retentionOf(c: JournalConfig): RetentionPolicy {
  return { retentionDays: c.retentionDays, maxEntries: c.maxEntries };
}

interface Lost {
  count: number;
  firstAt: number;
  lastAt: number;
  error: string;
}

export class JournalRecorder implements JournalSink {
  /** Entries are kept (the gateway's sink when the database is open). */
  readonly enabled = true;
  private readonly now: () => number;
  private readonly timers: Timers;
  private readonly onError: (err: unknown) => void;
  private readonly onWritten: (entries: readonly JournalInput[]) => void;
  private readonly aggregator: AuthAggregator;
  private config: JournalConfig;
  private flushTimer: unknown;
  private pruneTimer: unknown;
  private pruning = false;
  private closed = false;
  private lost: Lost | undefined;

  constructor(private readonly journal: Journal, config: JournalConfig, options: RecorderOptions = {}) {
    this.now = options.now ?? Date.now;
    this.timers = options.timers ?? nodeTimers;
    this.onError = options.onError ?? (() => undefined);
    this.onWritten = options.onWritten ?? (() => undefined);
    this.config = config;
    this.aggregator = new AuthAggregator(floodPolicyOf(config), this.now());
  }

  /** Starts the flush and retention timers and runs retention once. */
  start(): void {
    this.flushTimer = this.timers.setInterval(() => this.flush(), this.config.aggregateWindowSec * 1000);
    this.pruneTimer = this.timers.setInterval(() => this.pruneInBackground(), PRUNE_INTERVAL_MS);
    this.pruneInBackground();
  }

  /**
   * A reloaded config: new budgets at once; a new window length from the next flush on; tighter
   * retention limits are applied at once (in the background), not at the next hourly run.
   */
  setConfig(config: JournalConfig): void {
    const windowChanged = config.aggregateWindowSec !== this.config.aggregateWindowSec;
    const retentionChanged = config.retentionDays !== this.config.retentionDays || config.maxEntries !== this.config.maxEntries;
    this.config = config;
    this.aggregator.setPolicy(floodPolicyOf(config));
    if (windowChanged && this.flushTimer !== undefined) {
      this.timers.clearInterval(this.flushTimer);
      this.flushTimer = this.timers.setInterval(() => this.flush(), config.aggregateWindowSec * 1000);
    }
    if (retentionChanged && this.pruneTimer !== undefined) this.pruneInBackground();
  }

  /** An admitted request or session. Cheap when only counted (the usual case). */
  admit(user: string | null, method: AuthMode, peer: string, surface: Surface): void {
    if (this.closed) return;
    const entry = this.aggregator.admitValues(user, method, peer, surface, this.now());
    if (entry) this.writeQuietly([entry]);
  }

  /** A refused request or session; `detail` is the header or `why` its reason carries. */
  refuse(reason: string, detail: string | undefined, claimedUser: string | null, peer: string, surface: Surface): void {
    if (this.closed) return;
    const entry = this.aggregator.refuse({ reason, detail, claimedUser, peer, surface, time: this.now() });
    if (entry) this.writeQuietly([entry]);
  }

  /** A state-changing action, written at once. Throws StoreError (or a payload error) when it cannot be. */
  record(input: JournalInput): JournalEntry {
    const batch = [...this.lostEntry(), input];
    const written = this.journal.appendMany(batch);
    this.onWritten(batch);
    this.lost = undefined;
    return written.at(-1)!;
  }

  /** Writes the window's summaries now (the timer does this every aggregateWindowSec). */
  flush(): void {
    this.writeQuietly(this.aggregator.flush(this.now()));
  }

  /** Runs retention until nothing is left to prune. */
  pruneAll(): number {
    let deleted = 0;
    for (;;) {
      const r = this.journal.prune(retentionOf(this.config));
      deleted += r.deleted;
      if (r.remaining === 0) return deleted;
    }
  }

  /** Retention in batches, yielding between them so requests are served meanwhile. */
  private pruneInBackground(): void {
    if (this.pruning || this.closed) return;
    this.pruning = true;
    const step = (): void => {
      try {
        const r = this.journal.prune(retentionOf(this.config));
        if (r.remaining > 0 && !this.closed) {
          this.timers.defer(step);
          return;
        }
      } catch (err) {
        this.onError(err);
      }
      this.pruning = false;
    };
    step();
  }

  /** Flushes the last summaries and stops the timers. */
  close(): void {
    if (this.closed) return;
    if (this.flushTimer !== undefined) this.timers.clearInterval(this.flushTimer);
    if (this.pruneTimer !== undefined) this.timers.clearInterval(this.pruneTimer);
    this.flush();
    this.closed = true;
  }

  private lostEntry(): JournalInput[] {
    if (!this.lost) return [];
    const { count, firstAt, lastAt, error } = this.lost;
    return [{ kind: 'journal.lost', actor: { type: 'system' }, payload: { count, firstAt, lastAt, error } }];
  }

  private writeQuietly(entries: JournalInput[]): void {
    if (!entries.length) return;
    try {
      const batch = [...this.lostEntry(), ...entries];
      this.journal.appendMany(batch);
      this.lost = undefined;
      this.onWritten(batch);
    } catch (err) {
      if (err instanceof StoreError) {
        const t = this.now();
        this.lost = this.lost ? { ...this.lost, count: this.lost.count + entries.length, lastAt: t } : { count: entries.length, firstAt: t, lastAt: t, error: err.code };
      }
      this.onError(err);
    }
  }
}
