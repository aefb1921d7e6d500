import { describe, expect, expectTypeOf, it } from 'vitest';
import fc from 'fast-check';
import { parseConfigObject } from '../config/parse.js';
import type { AuthMode } from '../config/schema.js';
import type { Identity } from '../protocol/identity.js';
import { compileAuthorization } from './compile.js';
import { scopesFor, type ScopeSubject } from './decide.js';
import { explainScopes } from './explain.js';
import { SCOPES, type Scope } from '../protocol/scopes.js';

const R = 'operator.read';
const W = 'operator.write';
const A = 'operator.admin';
const MODES: AuthMode[] = ['token', 'password', 'none', 'trusted-proxy'];

interface RawRule {
  users?: string[];
  groups?: string[];
  scopes: Scope[];
}
interface RawSection {
  defaultScopes?: Scope[];
  rules: RawRule[];
}

function compiled(mode: AuthMode, authorization?: RawSection) {
  return compileAuthorization(parseConfigObject({ gateway: { auth: { mode }, ...(authorization && { authorization }) } }));
}

const who = (user: string | null, groups: string[] = []): ScopeSubject => ({ user, groups });

describe('scopesFor: defaults', () => {
  it.each<[AuthMode, string[]]>([
    ['token', [A, R, W]],
    ['password', [A, R, W]],
    ['none', [A, R, W]],
    ['trusted-proxy', [R, W]],
  ])('without an authorization section, mode %s gives %j', (mode, want) => {
    expect(scopesFor(who(mode === 'trusted-proxy' ? 'nick@example.com' : null), compiled(mode))).toEqual(want);
  });

  it('an empty section is the same as none', () => {
    expect(scopesFor(who('nick@example.com'), compiled('trusted-proxy', { rules: [] }))).toEqual([R, W]);
    expect(compiled('trusted-proxy', { rules: [] }).defaultFrom).toBe('mode');
  });

  it('defaultScopes replaces the mode default, [] included', () => {
    expect(scopesFor(who('nick@example.com'), compiled('trusted-proxy', { defaultScopes: [], rules: [] }))).toEqual([]);
    expect(scopesFor(who('nick@example.com'), compiled('trusted-proxy', { defaultScopes: [R], rules: [] }))).toEqual([R]);
    // In the secret modes too: the operator asked for a read-only token holder.
    expect(scopesFor(who(null), compiled('token', { defaultScopes: [R], rules: [] }))).toEqual([R]);
    expect(compiled('token', { defaultScopes: [R], rules: [] }).defaultFrom).toBe('defaultScopes');
  });
});

describe('scopesFor: rules', () => {
  const c = compiled('trusted-proxy', {
    defaultScopes: [],
    rules: [
      { users: ['alice@example.com'], scopes: [A] },
      { groups: ['mayros-operators'], scopes: [W] },
      { groups: ['auditors'], scopes: [R] },
      { users: ['jürgen@example.com'], groups: ['ops'], scopes: [W] },
    ],
  });

  it.each<[string, ScopeSubject, string[]]>([
    ['a user rule', who('alice@example.com'), [A, R, W]],
    ['a group rule', who('bob@example.com', ['mayros-operators']), [R, W]],
    ['the union of several groups', who('bob@example.com', ['auditors', 'mayros-operators']), [R, W]],
    ['nobody named: the default', who('eve@example.com', ['staff']), []],
    ['letter case counts', who('Alice@example.com'), []],
    ['a group name is not a user name', who('auditors'), []],
    ['a user name is not a group name', who('eve@example.com', ['alice@example.com']), []],
    ['a user rule in NFC matches an NFC identity', who('jürgen@example.com'), [R, W]],
    ['no identity name: user rules never match', who(null, []), []],
  ])('%s', (_name, subject, want) => {
    expect(scopesFor(subject, c)).toEqual(want);
  });

  it('compares names in NFC: a rule written decomposed matches the identity the gateway reads', () => {
    const decomposed = compiled('trusted-proxy', { defaultScopes: [], rules: [{ users: ['ju\u0308rgen@example.com'], groups: ['e\u0301quipe'], scopes: [A] }] });
    // src/auth/ hands identities and groups over in NFC.
    expect(scopesFor(who('jürgen@example.com'), decomposed)).toEqual([A, R, W]);
    expect(scopesFor(who('x', ['équipe']), decomposed)).toEqual([A, R, W]);
  });

  it('returns the shared list: the same array for the same set', () => {
    expect(scopesFor(who('alice@example.com'), c)).toBe(scopesFor(who('x', ['mayros-operators', 'auditors', 'ops']), compiled('token')));
    expect(Object.isFrozen(scopesFor(who('bob@example.com', ['auditors']), c))).toBe(true);
  });
});

describe('scopesFor: what it can depend on', () => {
  it('takes the name and the groups only', () => {
    expectTypeOf<keyof ScopeSubject>().toEqualTypeOf<'user' | 'groups'>();
    expectTypeOf(scopesFor).parameter(0).toEqualTypeOf<ScopeSubject>();
    // An admitted Identity fits as it is.
    expectTypeOf<Identity>().toExtend<ScopeSubject>();
  });

  it('reads nothing else from the identity it is given', () => {
    const read = new Set<PropertyKey>();
    const identity = new Proxy(
      { user: 'alice@example.com', groups: ['ops'], method: 'trusted-proxy', scopes: [A], claimedScopes: [A], headers: { 'x-scopes': A } },
      {
        get(target, key, receiver) {
          read.add(key);
          return Reflect.get(target, key, receiver);
        },
      },
    );
    scopesFor(identity, compiled('trusted-proxy', { rules: [{ groups: ['ops'], scopes: [R] }] }));
    expect([...read].sort()).toEqual(['groups', 'user']);
  });
});

// ---- Property tests over random rule sets --------------------------------------------------

/** Small universes, so random identities often match random rules; NFD forms included. */
const USERS = ['alice@example.com', 'bob@example.com', 'jürgen@example.com', 'ju\u0308rgen@example.com', 'Alice@example.com'];
const GROUPS = ['admins', 'ops', 'auditors', 'équipe', 'e\u0301quipe'];
const nfcOf = (s: string) => s.normalize('NFC');

const scopeList = fc.subarray([...SCOPES]);
const rule: fc.Arbitrary<RawRule> = fc
  .record({ users: fc.option(fc.subarray(USERS), { nil: undefined }), groups: fc.option(fc.subarray(GROUPS), { nil: undefined }), scopes: fc.subarray([...SCOPES], { minLength: 1 }) })
  .filter((r) => Boolean(r.users?.length || r.groups?.length))
  .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as unknown as RawRule);
const section: fc.Arbitrary<RawSection | undefined> = fc.option(
  fc.record({ defaultScopes: fc.option(scopeList, { nil: undefined }), rules: fc.array(rule, { maxLength: 12 }) }).map((s) => (s.defaultScopes === undefined ? { rules: s.rules } : s)),
  { nil: undefined },
);
/** An identity as src/auth/ produces it: names in NFC. */
const subject: fc.Arbitrary<ScopeSubject> = fc.record({
  user: fc.option(fc.constantFrom(...USERS, 'carol@example.com').map(nfcOf), { nil: null }),
  groups: fc.uniqueArray(fc.constantFrom(...GROUPS, 'staff').map(nfcOf)),
});

/** The contract, written independently: the union of the defaults and every matching rule, expanded. */
function reference(mode: AuthMode, s: RawSection | undefined, who: ScopeSubject): string[] {
  const granted = new Set<string>();
  const add = (x: Scope) => {
    granted.add(x);
    if (x === A) add(W);
    if (x === W) add(R);
  };
  const modeDefault: Scope[] = mode === 'trusted-proxy' ? [R, W] : [A];
  (s?.defaultScopes ?? modeDefault).forEach(add);
  for (const r of s?.rules ?? []) {
    const byUser = who.user !== null && (r.users ?? []).some((u) => nfcOf(u) === who.user);
    const byGroup = (r.groups ?? []).some((g) => who.groups.includes(nfcOf(g)));
    if (byUser || byGroup) r.scopes.forEach(add);
  }
  return [...granted].sort();
}

describe('scopesFor: properties over random rule sets', () => {
  it('grants exactly the union of the defaults and every matching rule, expanded; never more', () => {
    fc.assert(
      fc.property(fc.constantFrom(...MODES), section, subject, (mode, s, w) => {
        expect([...scopesFor(w, compiled(mode, s))]).toEqual(reference(mode, s, w));
      }),
      { numRuns: 500 },
    );
  });

  it('gives the same answer whatever else the identity object carries', () => {
    const extra = fc.dictionary(fc.string().filter((k) => k !== 'user' && k !== 'groups' && k !== '__proto__'), fc.anything());
    fc.assert(
      fc.property(fc.constantFrom(...MODES), section, subject, extra, (mode, s, w, junk) => {
        const c = compiled(mode, s);
        expect(scopesFor({ ...junk, user: w.user, groups: w.groups } as ScopeSubject, c)).toBe(scopesFor(w, c));
      }),
      { numRuns: 200 },
    );
  });

  it('a group the identity does not carry, or a user it is not, never adds a scope', () => {
    fc.assert(
      fc.property(section, subject, (s, w) => {
        const c = compiled('trusted-proxy', s);
        const base = scopesFor(w, c);
        // Dropping groups can only shrink the set: groups only ever add.
        expect(scopesFor({ user: w.user, groups: w.groups.slice(1) }, c).every((x) => base.includes(x))).toBe(true);
        expect(scopesFor({ user: null, groups: w.groups }, c).every((x) => base.includes(x))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('explainScopes', () => {
  it('has exactly the scopes scopesFor returns (the same array), each with a source that grants it', () => {
    fc.assert(
      fc.property(fc.constantFrom(...MODES), section, subject, (mode, s, w) => {
        const c = compiled(mode, s);
        const e = explainScopes(w, c);
        expect(e.scopes).toBe(scopesFor(w, c));
        expect([...new Set(e.grants.map((g) => g.scope))]).toEqual([...e.scopes]);
        for (const g of e.grants) {
          if (g.source === 'default') {
            expect(c.defaultScopes).toContain(g.impliedBy ?? g.scope);
            continue;
          }
          const r = s!.rules[g.source.rule]!;
          expect(r.scopes).toContain(g.impliedBy ?? g.scope);
          if ('user' in g.source) {
            expect(g.source.user).toBe(w.user);
            expect((r.users ?? []).map(nfcOf)).toContain(w.user);
          } else {
            expect(w.groups).toContain(g.source.group);
            expect((r.groups ?? []).map(nfcOf)).toContain(g.source.group);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('names the rule, the match and the implying scope', () => {
    const c = compiled('trusted-proxy', {
      rules: [
        { users: ['alice@example.com'], groups: ['admins'], scopes: [A] },
        { groups: ['auditors'], scopes: [R] },
      ],
    });
    expect(explainScopes(who('alice@example.com', ['admins', 'auditors']), c).grants).toEqual([
      { scope: A, source: { rule: 0, user: 'alice@example.com' } },
      // The trusted-proxy default is written as read + write: nothing implied.
      { scope: R, source: 'default' },
      { scope: R, source: { rule: 0, user: 'alice@example.com' }, impliedBy: A },
      { scope: R, source: { rule: 1, group: 'auditors' } },
      { scope: W, source: 'default' },
      { scope: W, source: { rule: 0, user: 'alice@example.com' }, impliedBy: A },
    ]);
    expect(explainScopes(who('bob@example.com', ['admins']), c).grants[0]).toEqual({ scope: A, source: { rule: 0, group: 'admins' } });
    // The weakest written scope that implies it: write, not admin.
    const both = compiled('trusted-proxy', { defaultScopes: [], rules: [{ users: ['x'], scopes: [A, W] }] });
    expect(explainScopes(who('x'), both).grants.filter((g) => g.scope === R)).toEqual([{ scope: R, source: { rule: 0, user: 'x' }, impliedBy: W }]);
    expect(explainScopes(who('eve@example.com'), compiled('trusted-proxy', { defaultScopes: [], rules: [] }))).toEqual({ scopes: [], grants: [] });
  });
});
