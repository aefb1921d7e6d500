import { describe, expect, it } from 'vitest';
import { AuthAggregator, clip, MAX_NAME_CHARS, MAX_TRACKED_GROUPS, type AdmitEvent, type FloodPolicy, type RefuseEvent } from './aggregate.js';
import type { AuthRefuseAggregatePayload, AuthAdmitAggregatePayload, JournalInput } from './types.js';
import { MAX_SUMMARY_GROUPS } from './types.js';

const T0 = 1_700_000_000_000;
const policy: FloodPolicy = { windowMs: 60_000, admissionsPerMinute: 600, refusalsPerMinute: 60 };
const admit = (over: Partial<AdmitEvent> = {}): AdmitEvent => ({ user: 'alice@example.com', method: 'trusted-proxy', surface: 'http', peer: '127.0.0.1', time: T0, ...over });
const refuse = (over: Partial<RefuseEvent> = {}): RefuseEvent => ({ reason: 'trusted_proxy_user_not_allowed', claimedUser: 'mallory@example.com', surface: 'ws', peer: '127.0.0.2', time: T0, ...over });

describe('AuthAggregator: admissions', () => {
  it('writes the first admission of a person at once, counts the rest, and sums them at the flush', () => {
    const a = new AuthAggregator(policy, T0);
    expect(a.admit(admit())).toEqual({ kind: 'auth.admit', actor: { type: 'user', id: 'alice@example.com' }, time: T0, payload: { user: 'alice@example.com', method: 'trusted-proxy', surface: 'http', peer: '127.0.0.1' } });
    for (let i = 1; i <= 1000; i++) expect(a.admit(admit({ time: T0 + i, surface: i % 4 ? 'http' : 'ws', peer: `127.0.0.${1 + (i % 3)}` }))).toBeUndefined();
    const out = a.flush(T0 + 60_000);
    expect(out).toEqual([
      {
        kind: 'auth.admit.aggregate',
        actor: { type: 'user', id: 'alice@example.com' },
        time: T0 + 60_000,
        payload: {
          windowStart: T0,
          windowEnd: T0 + 60_000,
          groups: [{ user: 'alice@example.com', method: 'trusted-proxy', count: 1000, firstAt: T0 + 1, lastAt: T0 + 1000, peers: ['127.0.0.2', '127.0.0.3', '127.0.0.1'], morePeers: 0, surfaces: { http: 750, ws: 250 } }],
          omitted: { groups: 0, count: 0 },
        },
      },
    ]);
    // A new window: the first admission is written at once again.
    expect(a.admit(admit({ time: T0 + 60_001 }))?.kind).toBe('auth.admit');
    expect(a.flush(T0 + 120_000)).toEqual([]);
  });

  it('a client admitted without a name (token mode) is actor "client", its own group', () => {
    const a = new AuthAggregator(policy, T0);
    expect(a.admit(admit({ user: null, method: 'token' }))).toMatchObject({ actor: { type: 'client' }, payload: { user: null, method: 'token' } });
    expect(a.admit(admit({ user: null, method: 'token' }))).toBeUndefined();
    expect(a.flush(T0 + 1)).toMatchObject([{ actor: { type: 'client' } }]);
  });

  it('lists up to 8 peers of a group and counts the others', () => {
    const a = new AuthAggregator(policy, T0);
    a.admit(admit());
    for (let i = 0; i < 20; i++) a.admit(admit({ peer: `10.0.0.${i}` }));
    const g = (a.flush(T0 + 1)[0]!.payload as AuthAdmitAggregatePayload).groups[0]!;
    expect(g.peers).toHaveLength(8);
    expect(g.morePeers).toBe(12);
  });
});

describe('AuthAggregator: refusals under a flood', () => {
  it('writes the first refusal of each (reason, peer, claimed user) at once, with its detail', () => {
    const a = new AuthAggregator(policy, T0);
    const e = a.refuse(refuse({ reason: 'trusted_proxy_missing_header', detail: 'x-forwarded-proto', claimedUser: null }));
    expect(e).toEqual({ kind: 'auth.refuse', actor: { type: 'anonymous' }, time: T0, payload: { reason: 'trusted_proxy_missing_header', detail: 'x-forwarded-proto', claimedUser: null, surface: 'ws', peer: '127.0.0.2' } });
    expect(a.refuse(refuse())).toMatchObject({ actor: { type: 'claimed', id: 'mallory@example.com' } });
    expect(a.refuse(refuse())).toBeUndefined();
  });

  it('a flood of 100,000 refusals from 50,000 names in one minute writes at most refusalsPerMinute entries plus one summary', () => {
    const a = new AuthAggregator(policy, T0);
    const written: JournalInput[] = [];
    for (let i = 0; i < 100_000; i++) {
      const e = a.refuse(refuse({ claimedUser: `u${i % 50_000}@example.com`, peer: `127.0.${(i >> 8) & 255}.${i & 255}`, time: T0 + Math.floor(i / 2000) }));
      if (e) written.push(e);
    }
    expect(written).toHaveLength(60);
    const flushed = a.flush(T0 + 59_000);
    // The budget for this minute is spent: every group goes into one summary.
    expect(flushed).toHaveLength(1);
    const s = flushed[0]!;
    expect(s).toMatchObject({ kind: 'auth.refuse.aggregate', actor: { type: 'system' } });
    const p = s.payload as AuthRefuseAggregatePayload;
    expect(p.groups).toHaveLength(MAX_SUMMARY_GROUPS);
    const listed = p.groups.reduce((n, g) => n + g.count, 0);
    // Every refusal is accounted for: written singly, listed, or omitted.
    expect(written.length + listed + p.omitted.count).toBe(100_000);
    expect(p.omittedByReason).toEqual({ trusted_proxy_user_not_allowed: p.omitted.count });
    expect(JSON.stringify(s).length).toBeLessThan(10_000);
  });

  it('the budget renews each minute: per-group summaries are written while it lasts, largest groups first', () => {
    const a = new AuthAggregator({ ...policy, refusalsPerMinute: 3 }, T0);
    for (const [user, n] of [['a', 5], ['b', 9], ['c', 2], ['d', 7]] as const) for (let i = 0; i < n; i++) a.refuse(refuse({ claimedUser: user }));
    // a, b and c were written singly and used the first minute's budget; d was only counted.
    const later = T0 + 61_000;
    const out = a.flush(later);
    expect(out.map((e) => [e.actor, (e.payload as AuthRefuseAggregatePayload).groups.map((g) => [g.claimedUser, g.count])])).toEqual([
      [{ type: 'claimed', id: 'b' }, [['b', 8]]],
      [{ type: 'claimed', id: 'd' }, [['d', 7]]],
      [{ type: 'claimed', id: 'a' }, [['a', 4]]],
      [{ type: 'system' }, [['c', 1]]],
    ]);
  });

  it('holds at most MAX_TRACKED_GROUPS groups; past it, refusals are counted by reason', () => {
    const a = new AuthAggregator({ ...policy, refusalsPerMinute: 1 }, T0);
    for (let i = 0; i < MAX_TRACKED_GROUPS + 500; i++) a.refuse(refuse({ claimedUser: `u${i}`, reason: i < MAX_TRACKED_GROUPS ? 'trusted_proxy_user_not_allowed' : 'trusted_proxy_user_missing' }));
    const [s] = a.flush(T0 + 1);
    const p = s!.payload as AuthRefuseAggregatePayload;
    // The first group was written singly; the other tracked ones (one refusal each) are summed
    // in the summary, 20 listed; the untracked ones are counted by reason.
    expect(p.groups).toHaveLength(MAX_SUMMARY_GROUPS);
    expect(p.omitted).toEqual({ groups: MAX_TRACKED_GROUPS - 1 - MAX_SUMMARY_GROUPS, count: MAX_TRACKED_GROUPS - 1 - MAX_SUMMARY_GROUPS + 500 });
    expect(p.omittedByReason).toEqual({ trusted_proxy_user_not_allowed: MAX_TRACKED_GROUPS - 1 - MAX_SUMMARY_GROUPS, trusted_proxy_user_missing: 500 });
  });

  it('a policy change applies to the next decision', () => {
    const a = new AuthAggregator({ ...policy, refusalsPerMinute: 1 }, T0);
    expect(a.refuse(refuse({ claimedUser: 'a' }))).toBeDefined();
    expect(a.refuse(refuse({ claimedUser: 'b' }))).toBeUndefined();
    a.setPolicy({ ...policy, refusalsPerMinute: 5 });
    expect(a.refuse(refuse({ claimedUser: 'c' }))).toBeDefined();
  });

  it('cuts client-supplied names to 256 characters', () => {
    const a = new AuthAggregator(policy, T0);
    const long = 'x'.repeat(10_000);
    const e = a.refuse(refuse({ claimedUser: long }));
    expect(e?.actor).toEqual({ type: 'claimed', id: clip(long) });
    expect(clip(long)).toHaveLength(MAX_NAME_CHARS);
    expect(clip(long).endsWith('…')).toBe(true);
  });

  it('a name that reads as a reserved word stays distinct from a missing one', () => {
    const a = new AuthAggregator(policy, T0);
    expect(a.refuse(refuse({ claimedUser: '' }))).toMatchObject({ actor: { type: 'claimed', id: '' } });
    expect(a.refuse(refuse({ claimedUser: null }))).toMatchObject({ actor: { type: 'anonymous' } });
  });
});
