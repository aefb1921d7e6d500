/**
 * The wire shape of the gateway's own log lines: what `logs.tail` returns and `logs.line` events
 * carry (docs/protocol.md). Shared with the Control UI, so it imports nothing.
 */

/** pino's level names, least severe first. */
export const LOG_LEVELS = Object.freeze(['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const);

export type LogLevel = (typeof LOG_LEVELS)[number];

/** One log line, secrets already redacted (the same line the log file or stderr got). */
export interface LogLine {
  /** Position in the gateway's log since it started: 1, 2, 3, ... (a cursor is the last one seen). */
  readonly seq: number;
  /** When it was logged (ms since the epoch). */
  readonly time: number;
  readonly level: LogLevel;
  readonly msg: string;
  /** The line's other fields (event, reason, peer, ...), as logged. */
  readonly fields: Readonly<Record<string, unknown>>;
  /** Set when the line was longer than the ring keeps: `fields` was left out and `msg` cut. */
  readonly truncated?: true;
}

/** The result of `logs.tail`. */
export interface LogsTailResult {
  lines: LogLine[];
  /** The `seq` of the last line returned, or the cursor sent when there was nothing new: send it back. */
  cursor: number;
  /** Lines after the cursor sent that the ring no longer holds (it keeps the latest ones only). */
  missed: number;
  /** Whether this session receives `logs.line` events. */
  following: boolean;
}

/** The payload of a `logs.line` event: the lines logged since the previous event, oldest first. */
export interface LogsLineEvent {
  lines: LogLine[];
  /** The `seq` of the last line logged (the last one here, unless some were left out). */
  cursor: number;
  /** Lines logged since the previous event that this one leaves out (over its size cap): call `logs.tail` with your cursor. */
  missed: number;
}

/** `seq` ordering of levels, for the "this level and above" filter. */
export function levelRank(level: LogLevel): number {
  return LOG_LEVELS.indexOf(level);
}
