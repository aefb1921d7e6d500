/**
 * The Logs view's state, as pure functions: lines merged by `seq` from `logs.tail` answers and
 * `logs.line` events (each line once, in order, at most VIEW_MAX_LINES kept), gaps counted, the
 * level filter, and what to ask the gateway for next. The element (logs.ts) only calls these.
 */
import { LOG_LEVELS, levelRank, type LogLevel, type LogLine, type LogsLineEvent, type LogsTailResult } from '../../../src/protocol/logs.js';

export { LOG_LEVELS, type LogLevel, type LogLine };

/** Lines the page keeps (older ones scroll away). */
export const VIEW_MAX_LINES = 2000;
/** Lines asked for at once: the first load, and the catch-up after a pause or a gap. */
export const FETCH_LIMIT = 1000;

export interface LogsState {
  readonly lines: readonly LogLine[];
  /** The last `seq` the page holds (the cursor sent back), undefined before the first answer. */
  readonly cursor: number | undefined;
  /** Lines the gateway no longer had when the page asked for them (the ring moved on). */
  readonly lost: number;
  /** Whether the gateway sends this session `logs.line` events. */
  readonly following: boolean;
  /** Paused by the person: not following, the lines on screen stay still. */
  readonly paused: boolean;
  /** Lines below this level are hidden. */
  readonly minLevel: LogLevel;
}

export function initialLogs(minLevel: LogLevel = 'info'): LogsState {
  return { lines: [], cursor: undefined, lost: 0, following: false, paused: false, minLevel };
}

/** `lines` followed by those of `incoming` that come after its last `seq`, keeping the latest `max`. */
export function mergeLines(lines: readonly LogLine[], incoming: readonly LogLine[], max = VIEW_MAX_LINES): readonly LogLine[] {
  const last = lines.length ? lines[lines.length - 1]!.seq : 0;
  const fresh = incoming.filter((l) => l.seq > last);
  if (!fresh.length) return lines;
  const all = [...lines, ...fresh];
  return all.length > max ? all.slice(all.length - max) : all;
}

/**
 * An answer of `logs.tail`. A cursor lower than the page's means the gateway restarted (its
 * `seq` began again at 1): the page starts over with the answer.
 */
export function withTail(s: LogsState, r: LogsTailResult): LogsState {
  const restarted = s.cursor !== undefined && r.cursor < s.cursor;
  const lines = restarted ? mergeLines([], r.lines) : mergeLines(s.lines, r.lines);
  const cursor = lines.length ? lines[lines.length - 1]!.seq : r.cursor;
  return { ...s, lines, cursor, lost: restarted ? r.missed : s.lost + r.missed, following: r.following };
}

/**
 * A `logs.line` event. Ignored while paused (one may arrive just after the pause was sent).
 * `fetch` is true when lines are missing before or after the event's (it skipped some, or the page
 * had not caught up): ask `logs.tail` with the cursor then.
 */
export function withEvent(s: LogsState, e: LogsLineEvent): { state: LogsState; fetch: boolean } {
  if (s.paused || !e.lines.length) return { state: s, fetch: !s.paused && e.missed > 0 };
  const first = e.lines[0]!.seq;
  const gapBefore = s.cursor !== undefined && first > s.cursor + 1;
  if (gapBefore) return { state: s, fetch: true };
  const lines = mergeLines(s.lines, e.lines);
  const cursor = lines.length ? lines[lines.length - 1]!.seq : s.cursor;
  return { state: { ...s, lines, cursor }, fetch: e.missed > 0 };
}

/** The params of the next `logs.tail`: from the cursor (when there is one), following unless paused. */
export function tailParams(s: LogsState): { cursor?: number; limit: number; follow: boolean } {
  return { ...(s.cursor !== undefined && { cursor: s.cursor }), limit: FETCH_LIMIT, follow: !s.paused };
}

export function paused(s: LogsState, on: boolean): LogsState {
  return { ...s, paused: on };
}

export function withMinLevel(s: LogsState, level: LogLevel): LogsState {
  return { ...s, minLevel: level };
}

/** The lines shown: those at the chosen level or above. */
export function visibleLines(s: LogsState): readonly LogLine[] {
  const min = levelRank(s.minLevel);
  return min <= 0 ? s.lines : s.lines.filter((l) => levelRank(l.level) >= min);
}

/** A line's fields as `key=value` pairs; objects as compact JSON. */
export function fieldsText(fields: Readonly<Record<string, unknown>>): string {
  return Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? (/[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v) : JSON.stringify(v)}`)
    .join(' ');
}
