import { describe, expect, it } from 'vitest';
import { resolvedConfig, type ResolvedConfig } from '../config/load.js';
import { parseConfigObject } from '../config/parse.js';
import { buildGeneration } from './generation.js';

const resolved = (gateway: Record<string, unknown>): ResolvedConfig => resolvedConfig({ file: '/x.json', fileFound: true, stateDir: '/tmp', config: parseConfigObject({ gateway }), sources: new Map() });

describe('buildGeneration', () => {
  it('is frozen and carries the compiled policy, limits and session age', () => {
    const g = buildGeneration(resolved({ auth: { mode: 'none', sessionMaxAgeSec: 60 }, limits: { maxConnections: 9 } }), { n: 1, now: 5 });
    expect(Object.isFrozen(g)).toBe(true);
    expect(g).toMatchObject({ n: 1, loadedAt: 5, sessionMaxAgeMs: 60_000, limits: { maxConnections: 9 }, policy: { mode: 'none' }, pendingRestart: [] });
  });

  it('keeps the failure limiter while rateLimit is unchanged, and starts a new one when it changes', () => {
    const first = buildGeneration(resolved({ auth: { rateLimit: { maxAttempts: 3 } } }), { n: 1, now: 0 });
    const same = buildGeneration(resolved({ auth: { rateLimit: { maxAttempts: 3 } }, trustedProxies: ['::1'] }), { n: 2, now: 0, previous: first });
    const changed = buildGeneration(resolved({ auth: { rateLimit: { maxAttempts: 4 } } }), { n: 3, now: 0, previous: same });
    expect(same.limiter).toBe(first.limiter);
    expect(changed.limiter).not.toBe(first.limiter);
  });
});
