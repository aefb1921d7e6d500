/**
 * Logging: structured JSON lines on stderr (pino), or the same lines made human-readable by
 * pino-pretty. Rejections are logged through a limiter so a flood of bad requests cannot fill the
 * disk.
 */
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { TokenBucket } from './token-bucket.js';
import type { LogRing } from '../logs/ring.js';

export type LogFormat = 'json' | 'pretty';
export type { Logger };

/**
 * Fields never written in either format, whatever logs them: nothing should log a secret, and this
 * holds even if something does (a field of that name, at the top or one level down).
 */
export const REDACTED_KEYS: readonly string[] = ['token', 'password', 'secret', 'authorization', 'cookie', 'credentials', 'bearer'];

export const REDACTED = '[redacted]';

export interface LoggerOptions {
  level?: string;
  out?: NodeJS.WritableStream;
  /** ANSI colour in the pretty format (the caller decides: a terminal, no NO_COLOR). */
  colorize?: boolean;
  /**
   * A second destination: every line the logger writes (redacted, as JSON) also goes here, for
   * `logs.tail` (src/logs/ring.ts).
   */
  ring?: LogRing;
}

/** The format when none is asked for: readable on a terminal, JSON for everything else. */
export function defaultLogFormat(stream: { isTTY?: boolean } = process.stderr): LogFormat {
  return stream.isTTY === true ? 'pretty' : 'json';
}

/**
 * pino-pretty's line formatter, applied synchronously in our own stream: its transport form
 * would buffer lines in a Transform that a process.exit right after startup could lose.
 * Loaded only for the pretty format.
 */
function prettyStream(out: NodeJS.WritableStream, colorize: boolean): Writable {
  const { prettyFactory } = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
  const pretty = prettyFactory({ colorize, ignore: 'pid,hostname', translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l', singleLine: true });
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line) out.write(pretty(line));
      }
      cb();
    },
  });
}

export function createLogger(format: LogFormat = 'json', opts: LoggerOptions = {}): Logger {
  const out = opts.out ?? process.stderr;
  const level = opts.level ?? 'info';
  const redact = { paths: REDACTED_KEYS.flatMap((k) => [k, `*.${k}`]), censor: REDACTED };
  // pino-pretty names numeric levels itself; the ring reads either form.
  const formatters = format === 'pretty' ? undefined : { level: (label: string) => ({ level: label }) };
  const main = (format === 'pretty' ? prettyStream(out, opts.colorize ?? false) : out) as pino.DestinationStream;
  // Both destinations get the same serialized (so the same redacted) line.
  const dest = opts.ring
    ? pino.multistream([
        { level, stream: main },
        { level, stream: opts.ring as pino.DestinationStream },
      ])
    : main;
  return pino({ level, base: undefined, redact, ...(formatters && { formatters }) }, dest);
}

/** A silent logger for tests and embedding. */
export function nullLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * Log lines paced by a token bucket: `burst` lines at once, refilled at `perSecond`. Lines beyond
 * it are counted and reported in the next line that gets through.
 */
export class LogLimiter {
  private readonly bucket: TokenBucket;
  private suppressed = 0;

  constructor(private readonly perSecond = 10, private readonly burst = 50, private readonly now: () => number = Date.now) {
    this.bucket = new TokenBucket(burst, now());
  }

  /** Returns the number of suppressed lines to report (>= 0) when this line may be written, or -1. */
  take(): number {
    if (!this.bucket.take(this.now(), this.perSecond, this.burst)) {
      this.suppressed++;
      return -1;
    }
    const s = this.suppressed;
    this.suppressed = 0;
    return s;
  }
}
