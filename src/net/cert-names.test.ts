import { describe, expect, it } from 'vitest';
import { certNames, describeCertNames, parseSubjectAltName } from './cert-names.js';

describe('parseSubjectAltName (Node\'s subjectaltname string)', () => {
  it.each<[string, string, Array<[string, string]>]>([
    ['one DNS name', 'DNS:proxy.example.com', [['DNS', 'proxy.example.com']]],
    ['several kinds, in order', 'DNS:a.example, URI:spiffe://example.org/proxy, email:p@example.com, IP Address:127.0.0.1', [['DNS', 'a.example'], ['URI', 'spiffe://example.org/proxy'], ['email', 'p@example.com'], ['IP Address', '127.0.0.1']]],
    // Node writes a value with a separator in it as a JSON string, so it stays one entry.
    ['a quoted value holding ", "', 'DNS:"evil.example, URI:mayros-proxy", DNS:b', [['DNS', 'evil.example, URI:mayros-proxy'], ['DNS', 'b']]],
    ['a quoted value with escapes', 'URI:"spiffe://example.org/a\\u002cb", DNS:c', [['URI', 'spiffe://example.org/a,b'], ['DNS', 'c']]],
    ['empty', '', []],
    ['an unterminated quote ends the list (names lost, never made up)', 'DNS:a, URI:"mayros-proxy', [['DNS', 'a']]],
    ['a bad separator ends the list', 'DNS:a,DNS:b', [['DNS', 'a,DNS:b']]],
    ['no type', 'mayros-proxy', []],
  ])('%s', (_n, text, want) => {
    expect(parseSubjectAltName(text).map((e) => [e.type, e.value])).toEqual(want);
  });
});

describe('certNames', () => {
  it('takes the CN (one or several) and the DNS and URI names; never email or IP', () => {
    expect(certNames({ subject: { CN: 'mayros-proxy', O: 'Example' }, subjectaltname: 'DNS:proxy.example.com, email:mayros-proxy, IP Address:10.0.0.7, URI:spiffe://e/p' })).toEqual({
      cn: ['mayros-proxy'],
      dns: ['proxy.example.com'],
      uri: ['spiffe://e/p'],
    });
    expect(certNames({ subject: { CN: ['a', 'b'] } })).toEqual({ cn: ['a', 'b'], dns: [], uri: [] });
    expect(certNames({})).toEqual({ cn: [], dns: [], uri: [] });
    expect(certNames({ subject: null })).toEqual({ cn: [], dns: [], uri: [] });
  });

  it('describes them for a log line, bounded', () => {
    expect(describeCertNames({ cn: ['a'], dns: ['b'], uri: ['c'] })).toBe('CN=a, DNS:b, URI:c');
    expect(describeCertNames({ cn: [], dns: [], uri: [] })).toBe('no CN, DNS or URI name');
    expect(describeCertNames({ cn: ['x'.repeat(500)], dns: [], uri: [] })).toHaveLength(203);
  });
});
