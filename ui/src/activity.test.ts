import { describe, expect, it } from 'vitest';
import { actorLabel, arrived, DEFAULT_FILTERS, describeEntry, FIRST_PAGE, listParams, newer, older, PAGE_SIZE, whenLabel } from './activity.js';

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);

describe('listParams', () => {
  it('asks for the last 24 hours of everything by default', () => {
    expect(listParams(DEFAULT_FILTERS, NOW)).toEqual({ limit: PAGE_SIZE, since: NOW - 24 * 3600_000 });
  });
  it('names the user (trimmed), the kinds of the family and the time chosen, and continues below a cursor', () => {
    expect(listParams({ user: ' alice@example.com ', kind: 'refused', since: '15m' }, NOW, 42)).toEqual({
      limit: PAGE_SIZE,
      user: 'alice@example.com',
      kind: ['auth.refuse', 'auth.refuse.aggregate'],
      since: NOW - 15 * 60_000,
      cursor: 42,
    });
    expect(listParams({ user: '', kind: 'config', since: 'all' }, NOW)).toEqual({ limit: PAGE_SIZE, kind: ['config.patch'] });
  });
});

describe('who, what, when', () => {
  it('says whether a name was verified', () => {
    expect(actorLabel({ type: 'user', id: 'admin@example.com' })).toEqual({ who: 'admin@example.com' });
    expect(actorLabel({ type: 'claimed', id: 'system' })).toEqual({ who: 'system', note: 'claimed, not verified' });
    expect(actorLabel({ type: 'system' }).who).toBe('the gateway');
    expect(actorLabel({ type: 'anonymous' }).who).toBe('no identity');
  });

  it.each([
    [{ kind: 'config.patch', actor: { type: 'user', id: 'a' }, payload: { paths: ['gateway.auth.trustedProxy.allowUsers'] } }, 'changed the config: gateway.auth.trustedProxy.allowUsers'],
    [{ kind: 'auth.admit', actor: { type: 'user', id: 'a' }, payload: { method: 'trusted-proxy', surface: 'ws', peer: '10.0.0.5' } }, 'signed in (trusted-proxy, console) from 10.0.0.5'],
    [{ kind: 'auth.refuse', actor: { type: 'claimed', id: 'm' }, payload: { reason: 'trusted_proxy_user_not_allowed', surface: 'http', peer: '10.0.0.5' } }, 'refused: trusted_proxy_user_not_allowed, HTTP from 10.0.0.5'],
    [
      { kind: 'auth.admit.aggregate', actor: { type: 'user', id: 'a' }, payload: { groups: [{ method: 'trusted-proxy', count: 1, peers: ['10.0.0.5'], morePeers: 0 }], omitted: { groups: 0, count: 0 } } },
      'signed in 1 more time (trusted-proxy) from 10.0.0.5',
    ],
    [
      { kind: 'auth.refuse.aggregate', actor: { type: 'system' }, payload: { groups: [{ reason: 'token_mismatch', count: 20 }, { reason: 'token_mismatch', count: 5 }], omitted: { groups: 3, count: 1200 } } },
      '1,225 more refusals summed (a flood past the per-minute budget): token_mismatch',
    ],
    [{ kind: 'reload', actor: { type: 'system' }, payload: { source: 'SIGHUP', result: 'applied', generation: 3, paths: ['a', 'b', 'c', 'd'] } }, 'config reloaded on SIGHUP: applied (generation 3): a, b, c and 1 more'],
    [{ kind: 'reload', actor: { type: 'system' }, payload: { source: 'file', result: 'unchanged', generation: 3 } }, 'config reloaded after the file changed: nothing changed'],
    [{ kind: 'reload', actor: { type: 'system' }, payload: { source: 'console', result: 'applied', generation: 4, paths: ['a'], sessionsClosed: 1 } }, 'config reloaded from the console: applied (generation 4): a; 1 session closed'],
    [{ kind: 'chat.run', actor: { type: 'user', id: 'a' }, payload: { model: 'local/llama', state: 'final', usage: { prompt: 3, completion: 9 } } }, 'chat run on local/llama: final (3 + 9 tokens)'],
    [{ kind: 'journal.prune', actor: { type: 'system' }, payload: { count: 5000, throughSeq: 5000, rule: 'age' } }, 'retention removed 5,000 entries up to #5000 (by age)'],
    [{ kind: 'from.a.newer.release', actor: { type: 'system' }, payload: 'not json' }, 'from.a.newer.release'],
  ] as const)('%#: %s', (entry, sentence) => {
    expect(describeEntry(entry as any)).toBe(sentence);
  });

  it('shows the clock for today and the date before', () => {
    expect(whenLabel(NOW - 60_000, NOW)).toMatch(/^\d\d:\d\d:\d\d$/);
    expect(whenLabel(NOW - 3 * 24 * 3600_000, NOW)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  });
});

describe('paging', () => {
  it('goes older page by page and back to the newest', () => {
    let p = arrived(FIRST_PAGE, 100);
    p = older(p);
    expect(p).toEqual({ back: [undefined], at: 100, next: undefined });
    p = older(arrived(p, 50));
    expect(p).toEqual({ back: [undefined, 100], at: 50, next: undefined });
    // The last page has no next cursor: "Older" stays put.
    expect(older(arrived(p, undefined))).toEqual({ ...p, next: undefined });
    p = newer(p);
    expect(p.at).toBe(100);
    p = newer(p);
    expect(p).toEqual({ back: [], at: undefined, next: undefined });
    expect(newer(p)).toBe(p);
  });
});
