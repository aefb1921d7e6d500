import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Identity } from '../auth/types.js';
import { API_HEADERS, jsonHeaders, SECURITY_HEADERS, whoamiJson } from './http.js';

describe('JSON responses', () => {
  it('carry the security and API headers and the length, nothing else', () => {
    expect(jsonHeaders(69)).toEqual({ ...SECURITY_HEADERS, ...API_HEADERS, 'content-length': 69 });
    // A fresh object each time: a caller adds its extra headers to it.
    expect(jsonHeaders(1)).not.toBe(jsonHeaders(1));
  });

  it('whoami bodies are byte for byte JSON.stringify of user, method and groups', () => {
    const identity = fc.record({
      user: fc.option(fc.string({ unit: 'binary' }), { nil: null }),
      method: fc.constantFrom<Identity['method']>('trusted-proxy', 'token', 'password', 'none'),
      groups: fc.array(fc.string({ unit: 'binary' }), { maxLength: 5 }),
    });
    fc.assert(
      fc.property(identity, (id) => {
        expect(whoamiJson(id)).toBe(JSON.stringify({ user: id.user, method: id.method, groups: id.groups }));
      }),
      { numRuns: 2000 },
    );
    expect(whoamiJson({ user: 'a"\u2028\ud800', method: 'trusted-proxy', groups: [] })).toBe(JSON.stringify({ user: 'a"\u2028\ud800', method: 'trusted-proxy', groups: [] }));
  });
});
