/**
 * The headers every HTTP response carries, and those of a JSON response.
 */

/** Set on every response. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
});

/**
 * The headers of a JSON response: SECURITY_HEADERS, the JSON type, no caching, a CSP that loads
 * nothing, and the length. Written out as one literal because V8 builds a literal in a few
 * nanoseconds where spreading frozen header sets costs a hundred times that on every response
 * (docs/performance.md); a test checks it carries SECURITY_HEADERS.
 */
export function jsonHeaders(contentLength: number): Record<string, string | number> {
  return {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    'content-length': contentLength,
  };
}
