import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LogsLineEvent } from '../protocol/logs.js';
import { LogFollowers } from './follow.js';
import { LogRing } from './ring.js';

const write = (ring: LogRing, n: number) => {
  for (let i = 0; i < n; i++) ring.write(JSON.stringify({ level: 'info', msg: `m${ring.cursor + 1}` }));
};

describe('LogFollowers', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('batches the lines of one flush interval into one event per follower', () => {
    const ring = new LogRing();
    const f = new LogFollowers(ring, { flushMs: 250 });
    const a: LogsLineEvent[] = [];
    const b: LogsLineEvent[] = [];
    f.follow('a', (p) => a.push(p));
    f.follow('b', (p) => b.push(p));
    write(ring, 3);
    expect(a).toEqual([]);
    vi.advanceTimersByTime(250);
    expect(a).toHaveLength(1);
    expect(a[0]!.lines.map((l) => l.seq)).toEqual([1, 2, 3]);
    expect(a[0]).toMatchObject({ cursor: 3, missed: 0 });
    expect(b).toEqual(a);
    vi.advanceTimersByTime(1000);
    expect(a).toHaveLength(1);
  });

  it('caps an event at maxLines and counts the rest as missed', () => {
    const ring = new LogRing();
    const f = new LogFollowers(ring, { maxLines: 5 });
    const got: LogsLineEvent[] = [];
    f.follow('a', (p) => got.push(p));
    write(ring, 12);
    f.flush();
    expect(got[0]!.lines.map((l) => l.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(got[0]).toMatchObject({ cursor: 12, missed: 7 });
  });

  it('buffers nothing while nobody follows, and stops sending to one who unfollows', () => {
    const ring = new LogRing();
    const f = new LogFollowers(ring);
    write(ring, 5);
    const got: LogsLineEvent[] = [];
    f.follow('a', (p) => got.push(p));
    f.flush();
    expect(got).toEqual([]);
    write(ring, 1);
    f.unfollow('a');
    vi.advanceTimersByTime(1000);
    expect(got).toEqual([]);
    expect(f.size).toBe(0);
  });

  it('refuses a follower past maxFollowers (that session can still poll); a follower already in may follow again', () => {
    const f = new LogFollowers(new LogRing(), { maxFollowers: 2 });
    expect(f.follow('a', () => {})).toBe(true);
    expect(f.follow('b', () => {})).toBe(true);
    expect(f.follow('c', () => {})).toBe(false);
    expect(f.follow('a', () => {})).toBe(true);
    expect(f.has('c')).toBe(false);
  });

  it('a send that unfollows (a session closing) does not disturb the others', () => {
    const ring = new LogRing();
    const f = new LogFollowers(ring);
    const got: string[] = [];
    f.follow('a', () => {
      got.push('a');
      f.unfollow('a');
    });
    f.follow('b', () => got.push('b'));
    write(ring, 1);
    f.flush();
    expect(got).toEqual(['a', 'b']);
  });

  it('close stops listening to the ring', () => {
    const ring = new LogRing();
    const f = new LogFollowers(ring);
    const got: LogsLineEvent[] = [];
    f.follow('a', (p) => got.push(p));
    f.close();
    write(ring, 2);
    vi.advanceTimersByTime(1000);
    expect(got).toEqual([]);
  });
});
