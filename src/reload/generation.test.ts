import { describe, expect, it } from 'vitest';
import { resolvedConfig, type ResolvedConfig } from '../config/load.js';
import { parseConfigObject } from '../config/parse.js';
import { scopesFor } from '../authz/decide.js';
import { buildGeneration } from './generation.js';

const resolved = (gateway: Record<string, unknown>): ResolvedConfig => resolvedConfig({ file: '/x.json', fileFound: true, stateDir: '/tmp', config: parseConfigObject({ gateway }), sources: new Map() });

describe('buildGeneration', () => {
  it('is frozen and carries the compiled policy, limits and session age', () => {
    const g = buildGeneration(resolved({ auth: { mode: 'none', sessionMaxAgeSec: 60 }, limits: { maxConnections: 9 } }), { n: 1, now: 5 });
    expect(Object.isFrozen(g)).toBe(true);
    expect(g).toMatchObject({ n: 1, loadedAt: 5, sessionMaxAgeMs: 60_000, limits: { maxConnections: 9 }, policy: { mode: 'none' }, pendingRestart: [] });
  });

  it('compiles gateway.authorization once per generation, so every decision of the generation reads the same rules', () => {
    const g = buildGeneration(
      resolved({ trustedProxies: ['127.0.0.1'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-user' } }, authorization: { defaultScopes: [], rules: [{ users: ['alice'], scopes: ['operator.admin'] }] } }),
      { n: 1, now: 0 },
    );
    expect(g.authorization).toMatchObject({ mode: 'trusted-proxy', defaultFrom: 'defaultScopes', defaultMask: 0 });
    expect(scopesFor({ user: 'alice', groups: [] }, g.authorization)).toEqual(['operator.admin', 'operator.read', 'operator.write']);
    expect(scopesFor({ user: 'bob', groups: [] }, g.authorization)).toEqual([]);
    // Without a section: the mode's default.
    expect(scopesFor({ user: null, groups: [] }, buildGeneration(resolved({ auth: { mode: 'token', token: 'abcdefghijklmnop' } }), { n: 1, now: 0 }).authorization)).toEqual(['operator.admin', 'operator.read', 'operator.write']);
  });

  it('keeps the failure limiter while rateLimit is unchanged, and starts a new one when it changes', () => {
    const first = buildGeneration(resolved({ auth: { rateLimit: { maxAttempts: 3 } } }), { n: 1, now: 0 });
    const same = buildGeneration(resolved({ auth: { rateLimit: { maxAttempts: 3 } }, trustedProxies: ['::1'] }), { n: 2, now: 0, previous: first });
    const changed = buildGeneration(resolved({ auth: { rateLimit: { maxAttempts: 4 } } }), { n: 3, now: 0, previous: same });
    expect(same.limiter).toBe(first.limiter);
    expect(changed.limiter).not.toBe(first.limiter);
  });
});
