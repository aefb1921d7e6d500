import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { NO_SCOPES, SCOPES, allows, expandScopes, isScope, listOf, maskOf, scopeMissingMessage, type Scope, type ScopeList } from './scopes.js';

const R = 'operator.read';
const W = 'operator.write';
const A = 'operator.admin';

describe('scopes', () => {
  it.each<[string, Scope[], string[]]>([
    ['nothing', [], []],
    ['read', [R], [R]],
    ['write implies read', [W], [R, W]],
    ['admin implies write and read', [A], [A, R, W]],
    ['read + admin', [R, A], [A, R, W]],
    ['repeats', [W, W, R], [R, W]],
  ])('expands %s, sorted', (_name, input, want) => {
    expect(expandScopes(input)).toEqual(want);
  });

  it('returns one frozen list per distinct set, whatever the input order', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...SCOPES)), fc.array(fc.constantFrom(...SCOPES)), (a, b) => {
        const la = expandScopes(a);
        expect(Object.isFrozen(la)).toBe(true);
        expect([...la]).toEqual([...la].sort());
        // Same set after expansion -> the very same array.
        expect(la === expandScopes(b)).toBe(maskOf(a) === maskOf(b));
      }),
    );
    expect(NO_SCOPES).toEqual([]);
    expect(listOf(0)).toBe(NO_SCOPES);
  });

  it('knows exactly the three names', () => {
    expect([...SCOPES].sort()).toEqual([A, R, W]);
    for (const bad of ['operator.Admin', 'admin', 'operator.admin ', 'operator.', '', null, 1]) expect(isScope(bad)).toBe(false);
    for (const s of SCOPES) expect(isScope(s)).toBe(true);
  });
});

/**
 * Every scope set a decision can return (expanded) x every need: allowed, or scope_missing.
 * Written out by hand, so the implication is checked against a table, not against itself.
 */
const TABLE: Array<[ScopeList, Scope | null, 'allowed' | 'scope_missing']> = [
  [[], null, 'allowed'],
  [[], R, 'scope_missing'],
  [[], W, 'scope_missing'],
  [[], A, 'scope_missing'],
  [[R], null, 'allowed'],
  [[R], R, 'allowed'],
  [[R], W, 'scope_missing'],
  [[R], A, 'scope_missing'],
  [[R, W], null, 'allowed'],
  [[R, W], R, 'allowed'],
  [[R, W], W, 'allowed'],
  [[R, W], A, 'scope_missing'],
  [[A, R, W], null, 'allowed'],
  [[A, R, W], R, 'allowed'],
  [[A, R, W], W, 'allowed'],
  [[A, R, W], A, 'allowed'],
];

describe('allows', () => {
  it.each(TABLE)('%j needing %s: %s', (scopes, needed, want) => {
    expect(allows(scopes, needed) ? 'allowed' : 'scope_missing').toBe(want);
  });

  it('covers every set a decision can return', () => {
    // Every subset of the three names, expanded: the only sets maskOf can produce.
    const subsets = Array.from({ length: 8 }, (_, m) => SCOPES.filter((_s, i) => (m >> i) & 1));
    const sets = new Set(subsets.map((x) => expandScopes(x).join(',')));
    expect(sets.size).toBe(4);
    expect(new Set(TABLE.map(([s]) => s.join(',')))).toEqual(sets);
  });

  it('every subset of scopes, expanded, allows what its strongest member implies and nothing else', () => {
    const rank: Record<Scope, number> = { 'operator.read': 1, 'operator.write': 2, 'operator.admin': 3 };
    fc.assert(
      fc.property(fc.subarray([...SCOPES]), fc.constantFrom<Scope | null>(null, ...SCOPES), (written, needed) => {
        const top = Math.max(0, ...written.map((s) => rank[s]));
        expect(allows(expandScopes(written), needed)).toBe(needed === null || rank[needed] <= top);
      }),
    );
  });
});

describe('scopeMissingMessage', () => {
  it('names the method, the scope it needs and the scopes held', () => {
    expect(scopeMissingMessage('chat.send', W, expandScopes([R]))).toBe('chat.send needs operator.write; you have operator.read');
    expect(scopeMissingMessage('security.audit', A, expandScopes([W]))).toBe('security.audit needs operator.admin; you have operator.read, operator.write');
    expect(scopeMissingMessage('status', R, NO_SCOPES)).toBe('status needs operator.read; you have no scopes');
  });
});
