import { describe, expect, it } from 'vitest';
import type { JournalInput } from '../journal/types.js';
import { journalCounter } from './journal.js';
import { NO_METRICS, type GatewayMetrics } from './seam.js';

function counting(): GatewayMetrics & { entries: Array<[string, number | undefined]> } {
  const entries: Array<[string, number | undefined]> = [];
  return { ...NO_METRICS, enabled: true, entries, journalEntries: (kind, n) => void entries.push([kind, n]) };
}

const entry = (kind: string) => ({ kind, actor: { type: 'system' }, payload: {} }) as unknown as JournalInput;

describe('journalCounter', () => {
  it('counts every entry of a written batch by its kind', () => {
    const m = counting();
    journalCounter(m)!([entry('journal.lost'), entry('auth.refuse'), entry('auth.refuse')]);
    expect(m.entries).toEqual([['journal.lost', undefined], ['auth.refuse', undefined], ['auth.refuse', undefined]]);
  });

  it('is nothing at all when metrics are off', () => {
    expect(journalCounter(NO_METRICS)).toBeUndefined();
  });
});
