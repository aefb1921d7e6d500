import { describe, expect, it } from 'vitest';
import { deepFreeze, getPath, leaves, setPath, walk } from './tree.js';

describe('config trees', () => {
  const tree = () => ({ gateway: { port: 1, auth: { mode: 'token', list: ['a', 'b'] }, empty: {} }, flag: true });

  it('lists leaves by dotted path, arrays as a whole, empty objects as nothing', () => {
    expect([...leaves(tree())]).toEqual([
      ['gateway.port', 1],
      ['gateway.auth.mode', 'token'],
      ['gateway.auth.list', ['a', 'b']],
      ['flag', true],
    ]);
  });

  it('walks in key order and descends only while the visitor says so', () => {
    const seen: string[] = [];
    walk(tree(), '', (path) => {
      seen.push(path);
      return path !== 'gateway.auth';
    });
    expect(seen).toEqual(['', 'gateway', 'gateway.port', 'gateway.auth', 'gateway.empty', 'flag']);
  });

  it('reads a path, undefined past a missing step or a leaf', () => {
    expect(getPath(tree(), 'gateway.auth.mode')).toBe('token');
    expect(getPath(tree(), 'gateway.auth.list.1')).toBe('b');
    expect(getPath(tree(), 'gateway.nope.deeper')).toBeUndefined();
    expect(getPath(tree(), 'flag.x')).toBeUndefined();
  });

  it('sets a path, creating objects on the way; undefined removes the key', () => {
    const t: Record<string, unknown> = tree();
    setPath(t, 'gateway.auth.token', 'x');
    setPath(t, 'models.providers.p.baseUrl', 'http://127.0.0.1');
    setPath(t, 'flag.nested', 2);
    setPath(t, 'gateway.port', undefined);
    expect(t).toEqual({ gateway: { auth: { mode: 'token', list: ['a', 'b'], token: 'x' }, empty: {} }, flag: { nested: 2 }, models: { providers: { p: { baseUrl: 'http://127.0.0.1' } } } });
  });

  it('freezes every level', () => {
    const t = deepFreeze(tree());
    expect(Object.isFrozen(t) && Object.isFrozen(t.gateway.auth) && Object.isFrozen(t.gateway.auth.list)).toBe(true);
  });
});
