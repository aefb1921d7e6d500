import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Identity } from '../../protocol/identity.js';
import { jsonHeaders, SECURITY_HEADERS } from './headers.js';
import { whoamiJson } from './json.js';

describe('JSON responses', () => {
  it('carry the security and API headers and the length, nothing else', () => {
    expect(jsonHeaders(69)).toEqual({
      ...SECURITY_HEADERS,
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'content-length': 69,
    });
    // A fresh object each time: a caller adds its extra headers to it.
    expect(jsonHeaders(1)).not.toBe(jsonHeaders(1));
  });

  it('whoami bodies are byte for byte JSON.stringify of user, method and groups, with their UTF-8 length', () => {
    const char = fc.oneof(fc.constantFrom('"', '\\', '\u0000', '\u001f', '\u007f', '\u0080', '\u00e9', '\u2028', '\ud800', '\udfff', '\ud83d\ude00'), fc.string({ maxLength: 1 }));
    const text = fc.oneof(fc.string(), fc.array(char, { maxLength: 8 }).map((a) => a.join('')), fc.string({ unit: 'binary' }));
    const identity = fc.record({
      user: fc.option(text, { nil: null }),
      method: fc.constantFrom<Identity['method']>('trusted-proxy', 'token', 'password', 'none'),
      groups: fc.oneof(fc.constant([]), fc.array(text, { maxLength: 4 })),
    });
    fc.assert(
      fc.property(identity, (id) => {
        const want = JSON.stringify({ user: id.user, method: id.method, groups: id.groups });
        expect(whoamiJson(id)).toEqual({ text: want, bytes: Buffer.byteLength(want) });
      }),
      { numRuns: 3000 },
    );
    for (const user of ['alice@example.com', 'a"b', 'a\\b', 'tab\there', 'caf\u00e9', '\ud800', '\ud83d\ude00', '']) {
      const want = JSON.stringify({ user, method: 'trusted-proxy', groups: [] });
      expect(whoamiJson({ user, method: 'trusted-proxy', groups: [] })).toEqual({ text: want, bytes: Buffer.byteLength(want) });
    }
  });
});
