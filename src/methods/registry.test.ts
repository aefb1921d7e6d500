import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { METHODS } from './index.js';
import { method, MethodRegistry, NO_PARAMS, type GatewayFacts, type MethodContext } from './registry.js';

/** A context whose emits are recorded. */
function context(): MethodContext & { emitted: unknown[] } {
  const emitted: unknown[] = [];
  return {
    session: { connId: 'c1', identity: { user: 'alice', method: 'trusted-proxy', groups: [] } },
    gateway: {} as GatewayFacts,
    emit: (event, payload) => emitted.push(['self', event, payload]),
    emitTo: (who, event, payload) => emitted.push([who.user, event, payload]),
    emitted,
  };
}

describe('the method registry', () => {
  it('declares every method once, with the scope issue 14 will enforce', () => {
    expect(Object.fromEntries(METHODS.declarations.map((m) => [m.name, m.scope]))).toEqual({
      health: 'none',
      whoami: 'none',
      status: 'operator.read',
      'presence.list': 'operator.read',
      'security.audit': 'operator.admin',
    });
  });

  it('cannot declare a method without a scope', () => {
    // @ts-expect-error -- scope is required
    const unscoped = method({ name: 'x', params: NO_PARAMS, handler: () => 1 });
    expect(unscoped.name).toBe('x');
  });

  it('refuses a name declared twice', () => {
    const m = method({ name: 'twice', scope: 'none', params: NO_PARAMS, handler: () => 1 });
    expect(() => new MethodRegistry([m, m])).toThrow('method "twice" is declared twice');
  });
});

describe('invoke', () => {
  const echo = method({ name: 'echo', scope: 'none', params: z.object({ text: z.string().max(5) }), handler: (_ctx, p) => ({ said: p.text }) });
  const later = method({ name: 'later', scope: 'none', params: NO_PARAMS, handler: async () => 'done' });
  const broken = method({ name: 'broken', scope: 'none', params: NO_PARAMS, handler: () => { throw new Error('secret detail'); } });
  const rejects = method({ name: 'rejects', scope: 'none', params: NO_PARAMS, handler: () => Promise.reject(new Error('secret detail')) });
  const talks = method({
    name: 'talks',
    scope: 'none',
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
    expect(METHODS.invoke('health', { anything: 1 }, context())).toEqual({ ok: true, payload: { ok: true } });
  });
});
