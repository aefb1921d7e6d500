/**
 * Logging: structured lines on stderr (pino), or a plain "pretty" rendering of the same fields.
 * Rejections are logged through a limiter so a flood of bad requests cannot fill the disk.
 */
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

export type LogFormat = 'json' | 'pretty';
export type { Logger };

function prettyStream(out: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        try {
          const { level, time, msg, pid: _pid, hostname: _host, ...rest } = JSON.parse(line) as Record<string, unknown>;
          const fields = Object.entries(rest)
            .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
            .join(' ');
          out.write(`${new Date(Number(time)).toISOString()} ${String(level ?? 'log').padEnd(5)} ${String(msg ?? '')}${fields ? ` ${fields}` : ''}\n`);
        } catch {
          out.write(`${line}\n`);
        }
      }
      cb();
    },
  });
}

export function createLogger(format: LogFormat = 'json', level = 'info', out: NodeJS.WritableStream = process.stderr): Logger {
  const dest = format === 'pretty' ? prettyStream(out) : out;
  return pino({ level, base: undefined, formatters: { level: (label) => ({ level: label }) } }, dest as pino.DestinationStream);
}

/** A silent logger for tests and embedding. */
export function nullLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * Token bucket for log lines: `burst` lines at once, refilled at `perSecond`. Lines beyond it are
 * counted and reported in the next line that gets through.
 */
export class LogLimiter {
  private tokens: number;
  private last: number;
  private suppressed = 0;

  constructor(private readonly perSecond = 10, private readonly burst = 50, private readonly now: () => number = Date.now) {
    this.tokens = burst;
    this.last = now();
  }

  /** Returns the number of suppressed lines to report (>= 0) when this line may be written, or -1. */
  take(): number {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.perSecond);
    this.last = t;
    if (this.tokens < 1) {
      this.suppressed++;
      return -1;
    }
    this.tokens -= 1;
    const s = this.suppressed;
    this.suppressed = 0;
    return s;
  }
}
