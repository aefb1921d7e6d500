import { describe, expect, it } from 'vitest';
import type { JournalInput } from '../journal/types.js';
import { NO_JOURNAL, type JournalSink } from '../journal/sink.js';
import { meteredSink } from './journal.js';
import { NO_METRICS, type GatewayMetrics } from './seam.js';

function counting(): GatewayMetrics & { entries: Array<[string, number | undefined]> } {
  const entries: Array<[string, number | undefined]> = [];
  return { ...NO_METRICS, enabled: true, entries, journalEntries: (kind, n) => void entries.push([kind, n]) };
}

const input = { kind: 'session.delete', actor: { type: 'system' }, payload: {} } as unknown as JournalInput;

describe('meteredSink', () => {
  it('counts an action once it is written, by kind, and passes every call through', () => {
    const calls: string[] = [];
    const inner: JournalSink = { enabled: true, admit: () => void calls.push('admit'), refuse: () => void calls.push('refuse'), record: () => void calls.push('record') };
    const m = counting();
    const sink = meteredSink(inner, m);
    sink.admit('u', 'token', '127.0.0.1', 'http');
    sink.refuse('r', undefined, null, '127.0.0.1', 'ws');
    sink.record(input);
    expect(calls).toEqual(['admit', 'refuse', 'record']);
    expect(m.entries).toEqual([['session.delete', undefined]]);
    expect(sink.enabled).toBe(true);
  });

  it('does not count a record that throws, nor anything when there is no journal', () => {
    const m = counting();
    const failing = meteredSink({ ...NO_JOURNAL, enabled: true, record: () => { throw new Error('disk full'); } }, m);
    expect(() => failing.record(input)).toThrow('disk full');
    meteredSink(NO_JOURNAL, m).record(input);
    expect(m.entries).toEqual([]);
  });

  it('is the sink itself when metrics are off', () => {
    expect(meteredSink(NO_JOURNAL, NO_METRICS)).toBe(NO_JOURNAL);
  });
});
