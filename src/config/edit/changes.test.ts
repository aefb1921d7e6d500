import { describe, expect, it } from 'vitest';
import { changesBetween } from './changes.js';
import { SECRET_PLACEHOLDER } from './placeholder.js';

describe('changesBetween', () => {
  it('lists changed leaves in path order; lists compare whole', () => {
    expect(changesBetween({ gateway: { port: 1, trustedProxies: ['a', 'b'], bind: 'lan' } }, { gateway: { port: 2, trustedProxies: ['a'], bind: 'lan' } })).toEqual([
      { path: 'gateway.port', before: 1, after: 2 },
      { path: 'gateway.trustedProxies', before: ['a', 'b'], after: ['a'] },
    ]);
  });

  it('names every leaf of an added or removed object, with no before or after where it was not set', () => {
    expect(changesBetween({ gateway: { limits: { maxConnections: 5, frameBurst: 2 } } }, { gateway: { controlUi: { enabled: false } } })).toEqual([
      { path: 'gateway.controlUi.enabled', after: false },
      { path: 'gateway.limits.frameBurst', before: 2 },
      { path: 'gateway.limits.maxConnections', before: 5 },
    ]);
  });

  it('counts an empty object as a value', () => {
    expect(changesBetween({}, { gateway: {} })).toEqual([{ path: 'gateway', after: {} }]);
  });

  it('names secrets but shows them as the placeholder, any provider name included', () => {
    const before = { gateway: { auth: { token: 'tok-a' } }, models: { providers: { 'my.llm': { apiKey: 'sk-a' } } } };
    const after = { gateway: { auth: {} }, models: { providers: { 'my.llm': { apiKey: 'sk-b' } } } };
    const changes = changesBetween(before, after);
    expect(changes).toEqual([
      { path: 'gateway.auth.token', before: SECRET_PLACEHOLDER },
      { path: 'models.providers.my.llm.apiKey', before: SECRET_PLACEHOLDER, after: SECRET_PLACEHOLDER },
    ]);
    expect(JSON.stringify(changes)).not.toMatch(/tok-a|sk-a|sk-b/);
  });
});

describe('changesBetween with emptied objects', () => {
  it('shows an object emptied as the keys that left it', () => {
    expect(changesBetween({ gateway: { limits: { frameBurst: 2 } } }, { gateway: { limits: {} } })).toEqual([{ path: 'gateway.limits.frameBurst', before: 2 }]);
  });
});
