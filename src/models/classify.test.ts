import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { describe, expect, it } from 'vitest';
import { classifyFailure, retryAfterMs } from './classify.js';

const status = (s: number, headers: Record<string, string> = {}, message = 'boom') => APIError.generate(s, { error: { message } }, undefined, new Headers(headers));
const connection = (code: string) => new APIConnectionError({ cause: Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(code), { code }) }) });

describe('classifyFailure', () => {
  it.each([
    ['refused', connection('ECONNREFUSED'), 'provider_unreachable', 'ECONNREFUSED', true],
    ['unknown host', connection('ENOTFOUND'), 'provider_unreachable', 'ENOTFOUND', true],
    ['bad certificate', connection('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'provider_unreachable', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', false],
    ['SDK timeout', new APIConnectionTimeoutError(), 'provider_timeout', 'no response in time', false],
    ['401', status(401), 'provider_auth_failed', 'HTTP 401', false],
    ['403', status(403), 'provider_auth_failed', 'HTTP 403', false],
    ['408', status(408), 'provider_timeout', 'HTTP 408 boom', true],
    ['429', status(429), 'provider_rate_limited', 'HTTP 429 boom', true],
    ['500', status(500), 'provider_error', 'HTTP 500 boom', true],
    ['400', status(400), 'provider_error', 'HTTP 400 boom', false],
    ['bad JSON', new SyntaxError('Unexpected token'), 'provider_error', 'malformed stream: a chunk was not JSON', false],
    ['socket closed', Object.assign(new TypeError('terminated'), { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) }), 'provider_error', 'stream cut: the connection closed mid-answer', false],
    ['anything else', new RangeError('odd'), 'provider_error', 'RangeError: odd', false],
  ] as const)('%s -> %s', (_name, err, reason, detail, retryable) => {
    expect(classifyFailure(err)).toMatchObject({ reason, detail, retryable });
  });

  it('keeps the server\'s Retry-After on a 429', () => {
    expect(classifyFailure(status(429, { 'retry-after': '7' })).retryAfterMs).toBe(7000);
  });

  it('never repeats the key, should a server echo it', () => {
    expect(classifyFailure(status(400, {}, 'bad key sk-live-123 given'), 'sk-live-123').detail).toBe('HTTP 400 bad key [redacted] given');
  });
});

describe('retryAfterMs', () => {
  const h = (o: Record<string, string>) => new Headers(o);
  it('reads retry-after-ms, then seconds, then an HTTP date; nothing otherwise', () => {
    expect(retryAfterMs(h({ 'retry-after-ms': '1500', 'retry-after': '9' }))).toBe(1500);
    expect(retryAfterMs(h({ 'retry-after': '2.5' }))).toBe(2500);
    expect(retryAfterMs(h({ 'retry-after': 'Thu, 01 Jan 1970 00:00:10 GMT' }), 4000)).toBe(6000);
    expect(retryAfterMs(h({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(retryAfterMs(h({}))).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});
