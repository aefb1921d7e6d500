import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compileAuthorization } from '../authz/compile.js';
import { scopesFor } from '../authz/decide.js';
import { parseConfigObject } from '../config/parse.js';
import { NO_SCOPES, SCOPES, expandScopes, hasScope, impliedMask, listOf, type Scope, type ScopeList } from '../protocol/scopes.js';
import { METHODS } from './index.js';
import { fail, method, MethodRegistry, NO_PARAMS, type AnyMethod, type GatewayFacts, type MethodContext, type MethodResult } from './registry.js';

const R = 'operator.read';
const W = 'operator.write';
const A = 'operator.admin';
const ADMIN = expandScopes([A]);

/** A context whose emits are recorded; `scopes` are the caller's (an admin's by default). */
function context(scopes: ScopeList = ADMIN): MethodContext & { emitted: unknown[] } {
  const emitted: unknown[] = [];
  return {
    session: { connId: 'c1', identity: { user: 'alice', method: 'trusted-proxy', groups: [] }, scopes },
    gateway: {} as GatewayFacts,
    emit: (event, payload) => emitted.push(['self', event, payload]),
    emitTo: (who, event, payload) => emitted.push([who.user, event, payload]),
    emitted,
  };
}

/** Every distinct set of scopes a caller can hold (closed under implication), as scopesFor returns them: the shared lists, deduplicated. */
const SCOPE_SETS: ScopeList[] = [...new Set(Array.from({ length: 8 }, (_, m) => expandScopes(listOf(m))))];

/**
 * The gateway's own declarations (names and scopes), with params that take anything and handlers
 * that only count their calls: what is checked here is the scope, before any params.
 */
function stubbed(): { reg: MethodRegistry; calls: string[] } {
  const calls: string[] = [];
  const reg = new MethodRegistry(METHODS.declarations.map((d): AnyMethod => method({ ...d, params: z.unknown(), handler: () => (calls.push(d.name), 'ran') })));
  return { reg, calls };
}

describe('the method registry', () => {
  it('declares every method once, with the scope it needs (docs/protocol.md)', () => {
    expect(Object.fromEntries(METHODS.declarations.map((m) => [m.name, m.scope]))).toEqual({
      health: null,
      whoami: null,
      status: R,
      'presence.list': R,
      'security.audit': A,
      'logs.tail': A,
      'chat.send': W,
      'chat.abort': W,
      'chat.history': R,
      'sessions.list': R,
      'sessions.create': W,
      'sessions.rename': W,
      'sessions.delete': W,
      'models.list': R,
    });
  });

  it('cannot declare a method without a scope: the type refuses it, and so does the registry at run time', () => {
    // @ts-expect-error -- scope is required
    const unscoped = method({ name: 'x', params: NO_PARAMS, handler: () => 1 });
    expect(() => new MethodRegistry([unscoped])).toThrow('method "x" declares no scope; declare null (no scope needed) or one of operator.admin, operator.read, operator.write');
    for (const bad of ['none', 'admin', 'operator.Admin', '', 'operator.*', 1, {}]) {
      expect(() => new MethodRegistry([{ ...unscoped, scope: bad } as unknown as AnyMethod]), String(bad)).toThrow(/^method "x" declares scope .*; declare null/);
    }
    // @ts-expect-error -- "none" is not a scope: null means "no scope needed"
    expect(() => new MethodRegistry([method({ name: 'y', scope: 'none', params: NO_PARAMS, handler: () => 1 })])).toThrow('method "y" declares scope "none"');
    for (const ok of [null, ...SCOPES]) expect(() => new MethodRegistry([{ ...unscoped, scope: ok } as AnyMethod])).not.toThrow();
  });

  it('answers a refusal a handler returns or resolves to (fail) as an error frame, with its reason', async () => {
    const error = { code: 'NOT_FOUND' as const, reason: 'session_not_found', message: 'no' };
    const reg = new MethodRegistry([
      method({ name: 'sync', scope: null, params: NO_PARAMS, handler: () => fail(error) }),
      method({ name: 'async', scope: null, params: NO_PARAMS, handler: async () => fail(error) }),
    ]);
    expect(reg.invoke('sync', undefined, context())).toEqual({ ok: false, error });
    expect(await reg.invoke('async', undefined, context())).toEqual({ ok: false, error });
  });

  it('refuses a name declared twice', () => {
    const m = method({ name: 'twice', scope: null, params: NO_PARAMS, handler: () => 1 });
    expect(() => new MethodRegistry([m, m])).toThrow('method "twice" is declared twice');
  });
});

describe('enforcement: every method x every set of scopes', () => {
  const cases = METHODS.declarations.flatMap((d) => SCOPE_SETS.map((scopes) => [d.name, d.scope, scopes] as const));

  it('covers every method and all four distinct sets (none, read, read+write, admin)', () => {
    expect(SCOPE_SETS.map((s) => s.join('+'))).toEqual(['', 'operator.admin+operator.read+operator.write', 'operator.read', 'operator.read+operator.write']);
    expect(cases.length).toBe(METHODS.declarations.length * SCOPE_SETS.length);
  });

  it.each(cases)('%s (needs %s) called with [%s]', (name, needed, scopes) => {
    const { reg, calls } = stubbed();
    const allowed = needed === null || scopes.includes(needed);
    // Params that no schema accepts would be INVALID_PARAMS: a refusal comes first, and says nothing about them.
    const r = reg.invoke(name, { unexpected: Symbol('x') }, context(scopes));
    if (allowed) {
      expect(r).toEqual({ ok: true, payload: 'ran' });
      expect(calls).toEqual([name]);
    } else {
      expect(r).toEqual({ ok: false, error: { code: 'FORBIDDEN', reason: 'scope_missing', message: `${name} needs ${needed}; you have ${scopes.length ? scopes.join(', ') : 'no scopes'}` } });
      expect(calls).toEqual([]);
    }
  });

  it('refuses before looking at the params, and checks them once allowed', () => {
    const strict = method({ name: 'strict', scope: W, params: z.object({ n: z.number() }), handler: (_c, p) => p.n });
    const reg = new MethodRegistry([strict]);
    expect(reg.invoke('strict', { n: 'x' }, context(expandScopes([R])))).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', reason: 'scope_missing' } });
    expect(reg.invoke('strict', { n: 'x' }, context(expandScopes([W])))).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS' } });
    expect(reg.invoke('strict', { n: 2 }, context(expandScopes([W])))).toEqual({ ok: true, payload: 2 });
    expect(reg.invoke('strict', { n: 2 }, context(NO_SCOPES))).toEqual({ ok: false, error: { code: 'FORBIDDEN', reason: 'scope_missing', message: 'strict needs operator.write; you have no scopes' } });
  });

  it('reads the scopes from the session only: scopes or a role in the params add nothing', () => {
    const { reg, calls } = stubbed();
    for (const params of [{ scopes: [A] }, { role: 'admin' }, { session: { scopes: [A] } }, { auth: { scopes: [A] } }]) {
      expect(reg.invoke('security.audit', params, context(expandScopes([R, W])))).toMatchObject({ ok: false, error: { reason: 'scope_missing' } });
    }
    expect(calls).toEqual([]);
  });
});

/**
 * Random rule sets over a few names (so rules often match): the scopes a caller gets are exactly
 * the union of the defaults and the matching rules, computed here by a plain walk, and every
 * method is allowed exactly when that union holds its scope. Never more.
 */
describe('enforcement over random rule sets', () => {
  const USERS = ['alice', 'bob', 'carol'];
  const GROUPS = ['ops', 'dev', 'audit'];
  const scopeList = fc.uniqueArray(fc.constantFrom<Scope>(...SCOPES), { minLength: 1, maxLength: 3 });
  const rule = fc
    .record({ users: fc.uniqueArray(fc.constantFrom(...USERS), { maxLength: 2 }), groups: fc.uniqueArray(fc.constantFrom(...GROUPS), { maxLength: 2 }), scopes: scopeList })
    .filter((r) => r.users.length + r.groups.length > 0)
    .map((r) => ({ scopes: r.scopes, ...(r.users.length && { users: r.users }), ...(r.groups.length && { groups: r.groups }) }));
  const section = fc.record({ defaultScopes: fc.option(fc.uniqueArray(fc.constantFrom<Scope>(...SCOPES), { maxLength: 3 }), { nil: undefined }), rules: fc.array(rule, { maxLength: 8 }) });
  const caller = fc.record({ user: fc.constantFrom(...USERS, 'dave'), groups: fc.uniqueArray(fc.constantFrom(...GROUPS, 'staff'), { maxLength: 3 }) });

  it('grants the union of the matching rules and the defaults, never more, and allows exactly what it grants', () => {
    const { reg } = stubbed();
    fc.assert(
      fc.property(section, caller, (sec, who) => {
        const config = parseConfigObject({
          gateway: {
            trustedProxies: ['127.0.0.1'],
            auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-user', groupsHeader: 'x-groups' } },
            authorization: { ...(sec.defaultScopes && { defaultScopes: sec.defaultScopes }), rules: sec.rules },
          },
        });
        let want = 0;
        for (const s of sec.defaultScopes ?? [R, W]) want |= impliedMask(s);
        for (const r of sec.rules) {
          if ((r.users ?? []).includes(who.user) || (r.groups ?? []).some((g) => who.groups.includes(g))) for (const s of r.scopes) want |= impliedMask(s);
        }
        const scopes = scopesFor(who, compileAuthorization(config));
        expect(scopes).toEqual(listOf(want));
        for (const d of METHODS.declarations) {
          const r = reg.invoke(d.name, undefined, context(scopes)) as MethodResult;
          expect(r.ok, `${d.name} with ${scopes.join(',')}`).toBe(d.scope === null || hasScope(want, d.scope));
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('invoke', () => {
  const echo = method({ name: 'echo', scope: null, params: z.object({ text: z.string().max(5) }), handler: (_ctx, p) => ({ said: p.text }) });
  const later = method({ name: 'later', scope: null, params: NO_PARAMS, handler: async () => 'done' });
  const broken = method({ name: 'broken', scope: null, params: NO_PARAMS, handler: () => { throw new Error('secret detail'); } });
  const rejects = method({ name: 'rejects', scope: null, params: NO_PARAMS, handler: () => Promise.reject(new Error('secret detail')) });
  const talks = method({
    name: 'talks',
    scope: null,
    params: NO_PARAMS,
    handler: (ctx) => {
      ctx.emit('note', 1);
      ctx.emitTo(ctx.session.identity, 'note', 2);
      return null;
    },
  });
  const reg = new MethodRegistry([echo, later, broken, rejects, talks]);

  it('calls the handler with the parsed params', () => {
    expect(reg.invoke('echo', { text: 'hi' }, context())).toEqual({ ok: true, payload: { said: 'hi' } });
  });

  it('answers INVALID_PARAMS naming the field, without calling the handler', () => {
    expect(reg.invoke('echo', { text: 'too long' }, context())).toEqual({ ok: false, error: { code: 'INVALID_PARAMS', message: expect.stringMatching(/^invalid echo params at text: /) } });
    expect(reg.invoke('echo', undefined, context())).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS' } });
  });

  it('answers UNKNOWN_METHOD listing the methods it has (an inherited name is not a method)', () => {
    expect(reg.invoke('nope', undefined, context())).toEqual({ ok: false, error: { code: 'UNKNOWN_METHOD', message: 'unknown method "nope"; available: echo, later, broken, rejects, talks' } });
    expect(reg.invoke('constructor', undefined, context())).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
  });

  it('answers INTERNAL when the handler throws or rejects, without its message', async () => {
    expect(reg.invoke('broken', undefined, context())).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'the method failed' } });
    await expect(reg.invoke('rejects', undefined, context())).resolves.toEqual({ ok: false, error: { code: 'INTERNAL', message: 'the method failed' } });
  });

  it('awaits an async handler, and stays synchronous otherwise', async () => {
    const r = reg.invoke('later', { ignored: true }, context());
    expect(r).toBeInstanceOf(Promise);
    await expect(r).resolves.toEqual({ ok: true, payload: 'done' });
  });

  it('lets a handler emit to the caller and to an identity', () => {
    const ctx = context();
    reg.invoke('talks', undefined, ctx);
    expect(ctx.emitted).toEqual([
      ['self', 'note', 1],
      ['alice', 'note', 2],
    ]);
  });

  it('ignores params sent to a method that takes none, as before the registry', () => {
    expect(METHODS.invoke('health', { anything: 1 }, context(NO_SCOPES))).toEqual({ ok: true, payload: { ok: true } });
  });

  it('answers whoami with the identity and the scopes of the session', () => {
    expect(METHODS.invoke('whoami', undefined, context(expandScopes([R])))).toEqual({ ok: true, payload: { user: 'alice', method: 'trusted-proxy', groups: [], scopes: [R] } });
  });
});
