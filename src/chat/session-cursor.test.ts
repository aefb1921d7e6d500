import { describe, expect, it } from 'vitest';
import { decodeSessionCursor, encodeSessionCursor } from './session-cursor.js';

describe('the sessions.list cursor', () => {
  it.each([
    { updatedAt: 0, key: 'k' },
    { updatedAt: 1_733_000_000_123, key: 'AbC-_0123456789abcdefXYZ' },
    { updatedAt: Number.MAX_SAFE_INTEGER, key: 'x'.repeat(64) },
  ])('round-trips $updatedAt / $key as an opaque URL-safe string', (c) => {
    const text = encodeSessionCursor(c);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(text).not.toContain(c.key);
    expect(decodeSessionCursor(text)).toEqual(c);
  });

  const b64 = (s: string) => Buffer.from(s).toString('base64url');
  it.each([
    ['empty', ''],
    ['not base64url', 'abc+/='],
    ['no separator', b64('1733000000123')],
    ['no key', b64('17:')],
    ['no time', b64(':key')],
    ['a negative time', b64('-1:key')],
    ['a leading zero', b64('01:key')],
    ['a fractional time', b64('1.5:key')],
    ['a time past 2^53', b64('9007199254740993:key')],
    ['a key over 64 characters', b64(`1:${'k'.repeat(65)}`)],
    ['a key with a space', b64('1:a key')],
    ['a second spelling of a valid cursor', `${encodeSessionCursor({ updatedAt: 1, key: 'ab' })}x`],
    ['far too long', 'A'.repeat(200)],
  ])('refuses %s', (_, text) => {
    expect(decodeSessionCursor(text)).toBeUndefined();
  });
});
