import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { headerText, isAscii, nfc, wireForm } from './header-text.js';

/** The bytes of `text` in UTF-8 as Node hands them over: one char per byte. */
const wire = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

describe('headerText', () => {
  it('returns an ASCII value as it is (the same string, no copy)', () => {
    const v = 'nick@example.com';
    expect(headerText(v)).toBe(v);
    expect(isAscii(v)).toBe(true);
  });

  it.each<[string, string, string | undefined]>([
    ['a UTF-8 name', wire('jürgen@example.com'), 'jürgen@example.com'],
    ['a name past the BMP', wire('𝒜lice@example.com'), '𝒜lice@example.com'],
    ['NFD bytes come out NFC', wire('ju\u0308rgen@example.com'), 'jürgen@example.com'],
    ['a name ending in byte 0xA0 (à = C3 A0) keeps it', wire('voilà'), 'voilà'],
    ['Latin-1 bytes are not UTF-8', 'j\xfcrgen@example.com', undefined],
    ['an overlong encoding of "/"', '\xc0\xaf', undefined],
    ['an encoded surrogate', '\xed\xa0\x80', undefined],
    ['a truncated sequence', '\xe2\x82', undefined],
    ['a char above 0xFF is not wire bytes', 'jürgen\u0142', undefined],
  ])('%s', (_name, input, want) => {
    expect(headerText(input)).toBe(want);
  });

  it('reads back any text its wire form carries, in NFC', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(headerText(wireForm(s))).toBe(s.normalize('NFC'));
        expect(wireForm(s)).toBe(wire(s));
      }),
    );
  });
});

describe('nfc', () => {
  it('composes, and leaves ASCII alone', () => {
    expect(nfc('ju\u0308rgen')).toBe('jürgen');
    const a = 'plain';
    expect(nfc(a)).toBe(a);
  });
});
