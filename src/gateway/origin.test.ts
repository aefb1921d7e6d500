import { describe, expect, it } from 'vitest';
import { originAllowed } from './origin.js';
import type { HeaderMap } from '../auth/types.js';

function check(headers: HeaderMap, peerIsTrustedProxy = false, allowedOrigins: string[] = []) {
  return originAllowed({ headers, peerIsTrustedProxy, allowedOrigins });
}

describe('originAllowed', () => {
  it.each<[string, HeaderMap, boolean, string[], boolean]>([
    ['no Origin (not a browser)', { host: '127.0.0.1:18789' }, false, [], true],
    ['same origin', { origin: 'http://127.0.0.1:18789', host: '127.0.0.1:18789' }, false, [], true],
    ['same origin, host case differs', { origin: 'http://Mayros.Example.com', host: 'mayros.example.com' }, false, [], true],
    ['https default port in Host', { origin: 'https://mayros.example.com', host: 'mayros.example.com:443' }, false, [], true],
    ['other port', { origin: 'http://127.0.0.1:8080', host: '127.0.0.1:18789' }, false, [], false],
    ['other site', { origin: 'https://evil.example', host: 'mayros.example.com' }, false, [], false],
    ['null origin', { origin: 'null', host: 'mayros.example.com' }, false, [], false],
    ['file origin', { origin: 'file://', host: 'mayros.example.com' }, false, [], false],
    ['no Host', { origin: 'https://mayros.example.com' }, false, [], false],
    ['X-Forwarded-Host from a trusted proxy', { origin: 'https://mayros.example.com', host: '127.0.0.1:18789', 'x-forwarded-host': 'mayros.example.com' }, true, [], true],
    ['X-Forwarded-Host from anyone else is ignored', { origin: 'https://evil.example', host: '127.0.0.1:18789', 'x-forwarded-host': 'evil.example' }, false, [], false],
    ['X-Forwarded-Host list: first host', { origin: 'https://a.example', host: 'x', 'x-forwarded-host': 'a.example, b.example' }, true, [], true],
    ['allowed origin listed', { origin: 'https://console.example.com', host: 'mayros.example.com' }, false, ['https://console.example.com'], true],
    ['listed origin must match exactly', { origin: 'https://console.example.com:8443', host: 'mayros.example.com' }, false, ['https://console.example.com'], false],
    ['wildcard', { origin: 'https://anything.example', host: 'mayros.example.com' }, false, ['*'], true],
    ['two Origin headers', { origin: ['http://127.0.0.1:1', 'http://127.0.0.1:1'], host: '127.0.0.1:1' }, false, [], false],
  ])('%s', (_n, headers, trusted, allowed, want) => {
    expect(check(headers, trusted, allowed)).toBe(want);
  });
});
