import { describe, expect, it } from 'vitest';
import { parseBearer } from './bearer.js';

describe('parseBearer', () => {
  it.each<[string, string | string[] | undefined, string | undefined]>([
    ['one value', 'Bearer abc', 'abc'],
    ['a one-value array', ['bearer  abc '], 'abc'],
    ['two values', ['Bearer abc', 'Bearer def'], undefined],
    ['another scheme', 'Basic abc', undefined],
    ['none', undefined, undefined],
  ])('%s', (_name, values, expected) => {
    expect(parseBearer(values)).toBe(expected);
  });
});
