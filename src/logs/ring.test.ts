import { describe, expect, it } from 'vitest';
import { LogRing, parseLogLine } from './ring.js';

const line = (i: number, extra: Record<string, unknown> = {}) => JSON.stringify({ level: 'info', time: 1000 + i, msg: `line ${i}`, n: i, ...extra });

function filled(capacity: number, count: number): LogRing {
  const ring = new LogRing({ capacity });
  for (let i = 1; i <= count; i++) ring.write(`${line(i)}\n`);
  return ring;
}

describe('parseLogLine', () => {
  it('splits level, time and msg from the other fields', () => {
    expect(parseLogLine(line(3, { event: 'e' }), 7, 8192)).toEqual({ seq: 7, time: 1003, level: 'info', msg: 'line 3', fields: { n: 3, event: 'e' } });
  });

  it.each([
    [30, 'info'],
    [40, 'warn'],
    [60, 'fatal'],
    ['error', 'error'],
    ['nonsense', 'info'],
  ])('level %s reads as %s', (level, want) => {
    expect(parseLogLine(JSON.stringify({ level, msg: 'm' }), 1, 8192)?.level).toBe(want);
  });

  it('ignores what is not a JSON object', () => {
    expect(parseLogLine('not json', 1, 8192)).toBeUndefined();
    expect(parseLogLine('[1,2]', 1, 8192)).toBeUndefined();
  });

  it('keeps only the start of a line over maxLineBytes', () => {
    const l = parseLogLine(JSON.stringify({ level: 'warn', msg: 'x'.repeat(2000), big: 'y'.repeat(10_000) }), 1, 4096)!;
    expect(l.truncated).toBe(true);
    expect(l.fields).toEqual({});
    expect(l.msg).toHaveLength(512);
    expect(l.level).toBe('warn');
  });
});

describe('LogRing', () => {
  it('without a cursor: the latest `limit` lines; the cursor is the last one', () => {
    const r = filled(10, 5).since(undefined, 3);
    expect(r.lines.map((l) => l.seq)).toEqual([3, 4, 5]);
    expect(r).toMatchObject({ cursor: 5, missed: 0 });
  });

  it('with a cursor: the lines after it, oldest first, `limit` at a time, and following the cursor reads each once', () => {
    const ring = filled(10, 7);
    const a = ring.since(2, 3);
    expect(a.lines.map((l) => l.seq)).toEqual([3, 4, 5]);
    const b = ring.since(a.cursor, 3);
    expect(b.lines.map((l) => l.seq)).toEqual([6, 7]);
    const c = ring.since(b.cursor, 3);
    expect(c).toEqual({ lines: [], cursor: 7, missed: 0 });
    ring.write(line(8));
    expect(ring.since(c.cursor, 3).lines.map((l) => l.seq)).toEqual([8]);
  });

  it('holds at most `capacity` lines; a cursor behind them learns how many it missed', () => {
    const ring = filled(4, 10);
    expect(ring.oldest).toBe(7);
    const r = ring.since(2, 100);
    expect(r.lines.map((l) => l.seq)).toEqual([7, 8, 9, 10]);
    expect(r.missed).toBe(4);
    expect(ring.since(0, 100).missed).toBe(6);
  });

  it('a cursor from the future (another gateway run) starts over from what is held', () => {
    const r = filled(4, 3).since(99, 10);
    expect(r.lines.map((l) => l.seq)).toEqual([1, 2, 3]);
    expect(r.cursor).toBe(3);
  });

  it('an empty ring answers nothing with cursor 0', () => {
    expect(new LogRing().since(undefined, 10)).toEqual({ lines: [], cursor: 0, missed: 0 });
    expect(new LogRing().since(0, 10)).toEqual({ lines: [], cursor: 0, missed: 0 });
  });

  it('memory stays bounded: twenty thousand lines through a ring of 100 keep 100 slots', () => {
    const ring = filled(100, 0);
    const text = line(0);
    for (let i = 0; i < 20_000; i++) ring.write(text);
    expect(ring.cursor).toBe(20_000);
    expect((ring as unknown as { slots: unknown[] }).slots).toHaveLength(100);
    expect(ring.since(undefined, 1000).lines).toHaveLength(100);
  });

  it('tells listeners about each line, until they stop', () => {
    const ring = new LogRing();
    const seen: number[] = [];
    const stop = ring.onLine((l) => seen.push(l.seq));
    ring.write(`${line(1)}\n${line(2)}\n`);
    stop();
    ring.write(line(3));
    expect(seen).toEqual([1, 2]);
  });
});
