import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Presence } from '../presence.js';
import type { PresenceEntry, PresenceEvent } from '../../protocol/presence.js';
import { PRESENCE_INLINE_MAX, PRESENCE_MAX_CHANGES, PresenceFanout } from './presence-fanout.js';

const entry = (i: number): PresenceEntry => ({ connId: `c${i}`, user: `u${i}`, method: 'trusted-proxy', client: {}, since: '2026-01-01T00:00:00.000Z' });
// Fake timers (Date.now included): the flush interval is a rule about time, checked without
// depending on how busy the machine is.
const tick = (ms: number) => vi.advanceTimersByTimeAsync(ms);

let fanout: PresenceFanout | undefined;
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  fanout?.close();
  vi.useRealTimers();
});

function setup(flushMs = 40) {
  const presence = new Presence();
  const events: PresenceEvent[] = [];
  fanout = new PresenceFanout(presence, (p) => events.push(p), flushMs);
  return { presence, events };
}

describe('PresenceFanout', () => {
  it('sends a lone change on the next tick, in the single-change shape plus changes and count', async () => {
    const { presence, events } = setup();
    presence.add(entry(1));
    expect(events).toHaveLength(0);
    await tick(5);
    expect(events).toEqual([{ change: 'join', entry: entry(1), changes: [{ change: 'join', entry: entry(1) }], count: 1, entries: [entry(1)] }]);
  });

  it('folds a burst into one event, oldest change first, with the latest as change/entry', async () => {
    const { presence, events } = setup();
    for (let i = 0; i < 5; i++) presence.add(entry(i));
    presence.remove('c0');
    await tick(5);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ change: 'leave', entry: entry(0), count: 4 });
    expect((events[0]!.changes as unknown[]).length).toBe(6);
    expect((events[0]!.entries as unknown[]).length).toBe(4);
  });

  it('sends at most one event per flush interval however fast changes come', async () => {
    const { presence, events } = setup(100);
    presence.add(entry(0));
    await tick(5);
    for (let i = 1; i <= 20; i++) {
      presence.add(entry(i));
      await tick(2);
    }
    expect(events).toHaveLength(1);
    await tick(150);
    expect(events).toHaveLength(2);
    expect((events[1]!.changes as unknown[]).length).toBe(20);
  });

  it('marks an oversized batch truncated instead of listing it', async () => {
    const { presence, events } = setup();
    for (let i = 0; i < PRESENCE_MAX_CHANGES + 5; i++) presence.add(entry(i));
    await tick(5);
    expect(events[0]).toMatchObject({ truncated: true, change: 'join', entry: entry(PRESENCE_MAX_CHANGES + 4), count: PRESENCE_MAX_CHANGES + 5 });
    expect(events[0]).not.toHaveProperty('changes');
  });

  it('leaves the full list out once it is large', async () => {
    const { presence, events } = setup();
    for (let i = 0; i <= PRESENCE_INLINE_MAX; i++) presence.add(entry(i));
    await tick(5);
    expect(events[0]).toMatchObject({ count: PRESENCE_INLINE_MAX + 1 });
    expect(events[0]).not.toHaveProperty('entries');
  });

  it('sends nothing after close', async () => {
    const { presence, events } = setup();
    presence.add(entry(1));
    fanout!.close();
    await tick(20);
    presence.add(entry(2));
    await tick(20);
    expect(events).toEqual([]);
  });
});
