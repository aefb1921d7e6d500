import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../../src/protocol/logs.js';
import { fieldsText, initialLogs, mergeLines, paused, tailParams, visibleLines, withEvent, withMinLevel, withTail } from './logs-model.js';

const line = (seq: number, level: LogLine['level'] = 'info', fields: Record<string, unknown> = {}): LogLine => ({ seq, time: 1000 + seq, level, msg: `m${seq}`, fields });
const seqs = (ls: readonly LogLine[]) => ls.map((l) => l.seq);

describe('mergeLines', () => {
  it('appends only lines after the last seq held, and keeps the latest max', () => {
    expect(seqs(mergeLines([line(1), line(2)], [line(2), line(3)]))).toEqual([1, 2, 3]);
    expect(seqs(mergeLines([line(1), line(2)], [line(4), line(5)], 3))).toEqual([2, 4, 5]);
    const same = [line(1)];
    expect(mergeLines(same, [line(1)])).toBe(same);
  });
});

describe('withTail', () => {
  it('takes the first answer, then continues from its cursor', () => {
    let s = withTail(initialLogs(), { lines: [line(1), line(2)], cursor: 2, missed: 0, following: true });
    expect(s).toMatchObject({ cursor: 2, following: true, lost: 0 });
    expect(tailParams(s)).toEqual({ cursor: 2, limit: 1000, follow: true });
    s = withTail(s, { lines: [line(3)], cursor: 3, missed: 0, following: true });
    expect(seqs(s.lines)).toEqual([1, 2, 3]);
  });

  it('counts lines the ring had let go', () => {
    const s = withTail({ ...initialLogs(), cursor: 2, lines: [line(2)] }, { lines: [line(10)], cursor: 10, missed: 7, following: true });
    expect(s.lost).toBe(7);
  });

  it('starts over when the gateway restarted (a lower cursor)', () => {
    const s = withTail({ ...initialLogs(), cursor: 500, lines: [line(499), line(500)] }, { lines: [line(1), line(2)], cursor: 2, missed: 0, following: true });
    expect(seqs(s.lines)).toEqual([1, 2]);
    expect(s.cursor).toBe(2);
  });

  it('an empty answer keeps the cursor', () => {
    expect(withTail(initialLogs(), { lines: [], cursor: 0, missed: 0, following: true }).cursor).toBe(0);
  });
});

describe('withEvent', () => {
  const base = withTail(initialLogs(), { lines: [line(1), line(2)], cursor: 2, missed: 0, following: true });

  it('appends the next lines, each once', () => {
    const { state, fetch } = withEvent(base, { lines: [line(2), line(3), line(4)], cursor: 4, missed: 0 });
    expect(seqs(state.lines)).toEqual([1, 2, 3, 4]);
    expect(state.cursor).toBe(4);
    expect(fetch).toBe(false);
  });

  it('asks to fetch when the event starts after a gap, or left lines out', () => {
    const gap = withEvent(base, { lines: [line(5)], cursor: 5, missed: 0 });
    expect(gap.fetch).toBe(true);
    expect(gap.state).toBe(base);
    const capped = withEvent(base, { lines: [line(3)], cursor: 9, missed: 6 });
    expect(capped.fetch).toBe(true);
    expect(capped.state.cursor).toBe(3);
  });

  it('is ignored while paused', () => {
    const p = paused(base, true);
    expect(withEvent(p, { lines: [line(3)], cursor: 3, missed: 0 })).toEqual({ state: p, fetch: false });
    expect(tailParams(p)).toEqual({ cursor: 2, limit: 1000, follow: false });
    expect(tailParams(paused(p, false)).follow).toBe(true);
  });
});

describe('visibleLines', () => {
  it('shows the chosen level and above', () => {
    const s = { ...initialLogs('trace'), lines: [line(1, 'debug'), line(2, 'info'), line(3, 'warn'), line(4, 'error')] };
    expect(seqs(visibleLines(s))).toEqual([1, 2, 3, 4]);
    expect(seqs(visibleLines(withMinLevel(s, 'info')))).toEqual([2, 3, 4]);
    expect(seqs(visibleLines(withMinLevel(s, 'warn')))).toEqual([3, 4]);
    expect(seqs(visibleLines(withMinLevel(s, 'fatal')))).toEqual([]);
  });
});

describe('fieldsText', () => {
  it('writes key=value, quoting what needs it', () => {
    expect(fieldsText({ event: 'auth_rejected', peer: '127.0.0.2', n: 3, user: 'a b', headers: { cookie: '[redacted]' } })).toBe('event=auth_rejected peer=127.0.0.2 n=3 user="a b" headers={"cookie":"[redacted]"}');
  });
});
