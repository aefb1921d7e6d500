/**
 * The gateway's latest log lines, kept in memory for `logs.tail`: a second destination of the
 * same pino logger that writes the log file or stderr, so a line here is exactly a line there,
 * secrets already redacted by the logger. Bounded twice: at most `capacity` lines, and a line
 * longer than `maxLineBytes` keeps only its level, time and the start of its message. The oldest
 * line goes when a new one comes.
 */
import { LOG_LEVELS, type LogLevel, type LogLine } from '../protocol/logs.js';

export const DEFAULT_RING_CAPACITY = 1000;
export const DEFAULT_MAX_LINE_BYTES = 8 * 1024;
/** How much of the message a truncated line keeps. */
const TRUNCATED_MSG_CHARS = 512;

/** pino's numeric levels (the pretty format writes numbers, the JSON format names). */
const NUMERIC: ReadonlyMap<number, LogLevel> = new Map([
  [10, 'trace'],
  [20, 'debug'],
  [30, 'info'],
  [40, 'warn'],
  [50, 'error'],
  [60, 'fatal'],
]);

export interface RingOptions {
  capacity?: number;
  maxLineBytes?: number;
}

export interface RingSlice {
  lines: LogLine[];
  cursor: number;
  missed: number;
}

function levelOf(v: unknown): LogLevel {
  if (typeof v === 'number') return NUMERIC.get(v) ?? (v >= 60 ? 'fatal' : 'info');
  return typeof v === 'string' && (LOG_LEVELS as readonly string[]).includes(v) ? (v as LogLevel) : 'info';
}

/**
 * Turns one serialized pino line into a LogLine, or undefined for something that is not a JSON
 * object (never thrown: a log destination must not fail the logger).
 */
export function parseLogLine(raw: string, seq: number, maxLineBytes: number): LogLine | undefined {
  let obj: unknown;
  try {
    obj = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return undefined;
  const { level, time, msg, ...fields } = obj as Record<string, unknown>;
  const line = { seq, time: typeof time === 'number' ? time : Date.now(), level: levelOf(level), msg: typeof msg === 'string' ? msg : '' };
  // Buffer.byteLength would be exact; the string length bounds memory as well (2 bytes a unit).
  if (raw.length > maxLineBytes) return Object.freeze({ ...line, msg: line.msg.slice(0, TRUNCATED_MSG_CHARS), fields: Object.freeze({}), truncated: true as const });
  return Object.freeze({ ...line, fields: Object.freeze(fields) });
}

export class LogRing {
  readonly capacity: number;
  readonly maxLineBytes: number;
  private readonly slots: (LogLine | undefined)[];
  /** seq of the last line written (0: none yet). */
  private last = 0;
  private readonly listeners = new Set<(line: LogLine) => void>();

  constructor(opts: RingOptions = {}) {
    this.capacity = Math.max(1, Math.floor(opts.capacity ?? DEFAULT_RING_CAPACITY));
    this.maxLineBytes = Math.max(256, Math.floor(opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES));
    this.slots = new Array<LogLine | undefined>(this.capacity);
  }

  /** pino's destination interface: one or more serialized lines. */
  write(chunk: string): boolean {
    for (const raw of chunk.split('\n')) {
      if (!raw) continue;
      const line = parseLogLine(raw, this.last + 1, this.maxLineBytes);
      if (!line) continue;
      this.last = line.seq;
      this.slots[line.seq % this.capacity] = line;
      for (const fn of this.listeners) fn(line);
    }
    return true;
  }

  /** The seq of the last line written, 0 when none. */
  get cursor(): number {
    return this.last;
  }

  /** The seq of the oldest line held (cursor + 1 when empty). */
  get oldest(): number {
    return Math.max(1, this.last - this.capacity + 1);
  }

  /**
   * Lines after `cursor`, oldest first, at most `limit`; without a cursor, the latest `limit`
   * lines. `missed` counts lines after the cursor that the ring has already let go. The returned
   * cursor is the last line returned (or the cursor sent, when none is), so calling again with it
   * continues where this left off.
   */
  since(cursor: number | undefined, limit: number): RingSlice {
    const n = Math.max(0, Math.floor(limit));
    const last = this.last;
    const oldest = this.oldest;
    let from: number;
    let missed = 0;
    if (cursor === undefined) {
      from = Math.max(oldest, last - n + 1);
    } else {
      // A cursor from the future (another gateway, a restart) starts over from what is held.
      const c = cursor > last ? 0 : cursor;
      from = Math.max(c + 1, oldest);
      missed = Math.max(0, oldest - (c + 1));
    }
    const to = Math.min(last, from + n - 1);
    const lines: LogLine[] = [];
    for (let seq = from; seq <= to; seq++) lines.push(this.slots[seq % this.capacity]!);
    const end = lines.length ? to : cursor === undefined || cursor > last ? from - 1 : cursor;
    return { lines, cursor: end, missed };
  }

  /** Calls `fn` with every line written from now on; returns the function that stops it. */
  onLine(fn: (line: LogLine) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}
