import { describe, expect, it } from 'vitest';
import { decideSend, sendsInWindow, SEND_WINDOW_MS } from './limits.js';

const limits = { maxConcurrentRuns: 2, sendsPerMinute: 3 };
const base = { sessionBusy: false, runningForOwner: 0, recentSends: [] as number[], now: 100_000 };

describe('decideSend', () => {
  it('allows a send under every limit', () => {
    expect(decideSend(base, limits)).toEqual({ ok: true });
  });

  it('refuses a busy session first, whatever the counts', () => {
    expect(decideSend({ ...base, sessionBusy: true, runningForOwner: 9 }, limits)).toEqual({ ok: false, reason: 'session_busy' });
  });

  it('refuses at maxConcurrentRuns, not before', () => {
    expect(decideSend({ ...base, runningForOwner: 1 }, limits).ok).toBe(true);
    expect(decideSend({ ...base, runningForOwner: 2 }, limits)).toEqual({ ok: false, reason: 'chat_rate_limited', limit: 'maxConcurrentRuns' });
  });

  it('refuses at sendsPerMinute with the wait until the oldest counted send leaves the window', () => {
    const now = base.now;
    expect(decideSend({ ...base, recentSends: [now - 50_000, now - 10_000] }, limits).ok).toBe(true);
    expect(decideSend({ ...base, recentSends: [now - 50_000, now - 10_000, now - 1] }, limits)).toEqual({ ok: false, reason: 'chat_rate_limited', limit: 'sendsPerMinute', retryAfterMs: 10_000 });
    // A send exactly one window old no longer counts.
    expect(decideSend({ ...base, recentSends: [now - SEND_WINDOW_MS, now - 10_000, now - 1] }, limits).ok).toBe(true);
  });
});

describe('sendsInWindow', () => {
  it('counts the sends of the last minute', () => {
    expect(sendsInWindow([], 0)).toBe(0);
    expect(sendsInWindow([1, 2, 60_001, 60_002], 120_001)).toBe(1);
  });
});
