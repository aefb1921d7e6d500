import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Identity } from '../../protocol/identity.js';
import { expandScopes, SCOPES } from '../../protocol/scopes.js';
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

  it('whoami bodies are byte for byte JSON.stringify of user, method, groups and scopes, with their UTF-8 length', () => {
    const char = fc.oneof(fc.constantFrom('"', '\\', '\u0000', '\u001f', '\u007f', '\u0080', '\u00e9', '\u2028', '\ud800', '\udfff', '\ud83d\ude00'), fc.string({ maxLength: 1 }));
    const text = fc.oneof(fc.string(), fc.array(char, { maxLength: 8 }).map((a) => a.join('')), fc.string({ unit: 'binary' }));
    const identity = fc.record({
      user: fc.option(text, { nil: null }),
      method: fc.constantFrom<Identity['method']>('trusted-proxy', 'token', 'password', 'none'),
      groups: fc.oneof(fc.constant([]), fc.array(text, { maxLength: 4 })),
    });
    // The shared lists scopesFor returns, and (as a caller might pass) a plain array of scope names.
    const scopes = fc.oneof(fc.subarray([...SCOPES]).map((s) => expandScopes(s)), fc.subarray([...SCOPES]));
    fc.assert(
      fc.property(identity, scopes, (id, sc) => {
        const want = JSON.stringify({ user: id.user, method: id.method, groups: id.groups, scopes: sc });
        expect(whoamiJson(id, sc)).toEqual({ text: want, bytes: Buffer.byteLength(want) });
      }),
      { numRuns: 3000 },
    );
    for (const user of ['alice@example.com', 'a"b', 'a\\b', 'tab\there', 'caf\u00e9', '\ud800', '\ud83d\ude00', '']) {
      for (const sc of [expandScopes([]), expandScopes(['operator.write']), expandScopes(['operator.admin'])]) {
        const want = JSON.stringify({ user, method: 'trusted-proxy', groups: [], scopes: sc });
        expect(whoamiJson({ user, method: 'trusted-proxy', groups: [] }, sc)).toEqual({ text: want, bytes: Buffer.byteLength(want) });
      }
    }
  });

  it('never keeps the text of a list that can change', () => {
    const id: Identity = { user: 'alice', method: 'trusted-proxy', groups: [] };
    const mutable: Array<(typeof SCOPES)[number]> = ['operator.read'];
    expect(JSON.parse(whoamiJson(id, mutable).text).scopes).toEqual(['operator.read']);
    mutable.push('operator.write');
    expect(JSON.parse(whoamiJson(id, mutable).text).scopes).toEqual(['operator.read', 'operator.write']);
  });
});
