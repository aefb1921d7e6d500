import { describe, expect, it } from 'vitest';
import { originAllowed } from './origin.js';
import type { HeaderMap } from './types.js';

function check(headers: HeaderMap, peerIsTrustedProxy = false, allowedOrigins: string[] = []) {
  return originAllowed({ headers, peerIsTrustedProxy, allowedOrigins });
}

describe('originAllowed', () => {
  it.each<[string, HeaderMap, boolean, string[], boolean]>([
    ['no Origin (not a browser)', { host: '127.0.0.1:18789' }, false, [], true],
    ['same origin', { origin: 'http://127.0.0.1:18789', host: '127.0.0.1:18789' }, false, [], true],
    ['same origin, host case differs', { origin: 'http://Mayros.Example.com', host: 'mayros.example.com' }, false, [], true],
    ['http default port in Host', { origin: 'http://mayros.example.com', host: 'mayros.example.com:80' }, false, [], true],
    ['other port', { origin: 'http://127.0.0.1:8080', host: '127.0.0.1:18789' }, false, [], false],
    ['other site', { origin: 'https://evil.example', host: 'mayros.example.com' }, false, [], false],
    ['null origin', { origin: 'null', host: 'mayros.example.com' }, false, [], false],
    ['file origin', { origin: 'file://', host: 'mayros.example.com' }, false, [], false],
    ['no Host', { origin: 'https://mayros.example.com' }, false, [], false],
    ['a Host with a path is no origin', { origin: 'http://mayros.example.com', host: 'mayros.example.com/x' }, false, [], false],
    // The scheme (issue 12, item 7).
    ['direct: an https page is not the plain-http gateway', { origin: 'https://mayros.example.com', host: 'mayros.example.com' }, false, [], false],
    ['direct: X-Forwarded-Proto from anyone else is ignored', { origin: 'https://mayros.example.com', host: 'mayros.example.com', 'x-forwarded-proto': 'https' }, false, [], false],
    ['proxy says https: the https page', { origin: 'https://mayros.example.com', host: '127.0.0.1:18789', 'x-forwarded-host': 'mayros.example.com', 'x-forwarded-proto': 'https' }, true, [], true],
    ['proxy says https: an http page on the same host is refused', { origin: 'http://mayros.example.com', host: '127.0.0.1:18789', 'x-forwarded-host': 'mayros.example.com', 'x-forwarded-proto': 'https' }, true, [], false],
    ['proxy says https, Host has :443', { origin: 'https://mayros.example.com', host: 'mayros.example.com:443', 'x-forwarded-proto': 'https' }, true, [], true],
    ['proxy says https, page on :8443', { origin: 'https://mayros.example.com:8443', host: '127.0.0.1:18789', 'x-forwarded-host': 'mayros.example.com:8443', 'x-forwarded-proto': 'https' }, true, [], true],
    ['proxy says https, page on another port', { origin: 'https://mayros.example.com:8443', host: '127.0.0.1:18789', 'x-forwarded-host': 'mayros.example.com', 'x-forwarded-proto': 'https' }, true, [], false],
    ['proxy says HTTPS (case)', { origin: 'https://mayros.example.com', host: 'mayros.example.com', 'x-forwarded-proto': 'HTTPS' }, true, [], true],
    ['proxy says http', { origin: 'http://mayros.example.com', host: 'mayros.example.com', 'x-forwarded-proto': 'http' }, true, [], true],
    ['proxy says http: an https page is refused', { origin: 'https://mayros.example.com', host: 'mayros.example.com', 'x-forwarded-proto': 'http' }, true, [], false],
    ['proxy sends no X-Forwarded-Proto: http', { origin: 'http://mayros.example.com', host: '127.0.0.1:1', 'x-forwarded-host': 'mayros.example.com' }, true, [], true],
    ['proxy sends no X-Forwarded-Proto: not https', { origin: 'https://mayros.example.com', host: '127.0.0.1:1', 'x-forwarded-host': 'mayros.example.com' }, true, [], false],
    ['proxy chain: first X-Forwarded-Proto', { origin: 'https://mayros.example.com', host: 'x', 'x-forwarded-host': 'mayros.example.com', 'x-forwarded-proto': 'https, http' }, true, [], true],
    ['proxy sends an unknown scheme: refused', { origin: 'http://mayros.example.com', host: 'mayros.example.com', 'x-forwarded-proto': 'wss' }, true, [], false],
    ['X-Forwarded-Host from anyone else is ignored', { origin: 'http://evil.example', host: '127.0.0.1:18789', 'x-forwarded-host': 'evil.example' }, false, [], false],
    ['X-Forwarded-Host list: first host', { origin: 'https://a.example', host: 'x', 'x-forwarded-host': 'a.example, b.example', 'x-forwarded-proto': 'https' }, true, [], true],
    ['allowed origin listed', { origin: 'https://console.example.com', host: 'mayros.example.com' }, false, ['https://console.example.com'], true],
    ['listed origin must match exactly (port)', { origin: 'https://console.example.com:8443', host: 'mayros.example.com' }, false, ['https://console.example.com'], false],
    ['listed origin must match exactly (scheme)', { origin: 'http://console.example.com', host: 'mayros.example.com' }, false, ['https://console.example.com'], false],
    ['wildcard', { origin: 'https://anything.example', host: 'mayros.example.com' }, false, ['*'], true],
    ['two Origin headers', { origin: ['http://127.0.0.1:1', 'http://127.0.0.1:1'], host: '127.0.0.1:1' }, false, [], false],
  ])('%s', (_n, headers, trusted, allowed, want) => {
    expect(check(headers, trusted, allowed)).toBe(want);
  });
});
