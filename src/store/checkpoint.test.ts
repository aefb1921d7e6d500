import { afterEach, expect, it, vi } from 'vitest';
import { checkpointOnTimer } from './checkpoint.js';

afterEach(() => {
  vi.useRealTimers();
});

function fakeDb(fail: () => boolean = () => false) {
  const calls: string[] = [];
  return {
    calls,
    db: {
      pragma: vi.fn((sql: string) => {
        calls.push(sql);
        if (sql.startsWith('wal_checkpoint') && fail()) throw Object.assign(new Error('disk full'), { code: 'SQLITE_FULL' });
        return [];
      }),
    },
  };
}

it('turns the automatic checkpoint off and checkpoints on the timer, until stopped', () => {
  vi.useFakeTimers();
  const { db, calls } = fakeDb();
  const c = checkpointOnTimer(db as never, 1000, () => undefined);
  expect(calls).toEqual(['wal_autocheckpoint = 0']);
  vi.advanceTimersByTime(999);
  expect(calls).toHaveLength(1);
  vi.advanceTimersByTime(2001);
  expect(calls).toEqual(['wal_autocheckpoint = 0', 'wal_checkpoint(PASSIVE)', 'wal_checkpoint(PASSIVE)', 'wal_checkpoint(PASSIVE)']);
  c.stop();
  vi.advanceTimersByTime(5000);
  expect(calls).toHaveLength(4);
});

it('reports a failing checkpoint once until one succeeds again, and keeps trying', () => {
  vi.useFakeTimers();
  let failing = true;
  const { db } = fakeDb(() => failing);
  const errors: unknown[] = [];
  const c = checkpointOnTimer(db as never, 100, (e) => errors.push(e));
  vi.advanceTimersByTime(300);
  expect(errors).toHaveLength(1);
  failing = false;
  vi.advanceTimersByTime(100);
  failing = true;
  vi.advanceTimersByTime(100);
  expect(errors).toHaveLength(2);
  expect((errors[1] as { code: string }).code).toBe('SQLITE_FULL');
  c.stop();
});
