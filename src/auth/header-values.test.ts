import { describe, expect, it } from 'vitest';
import { countOf, firstOf, onlyOf } from './header-values.js';

describe('header values', () => {
  it.each<[string, string | string[] | undefined, number, string | undefined, string | undefined]>([
    ['absent', undefined, 0, undefined, undefined],
    ['sent once', 'a', 1, 'a', 'a'],
    ['a one-value array', ['a'], 1, 'a', 'a'],
    ['sent twice', ['a', 'b'], 2, 'a', undefined],
    ['an empty array', [], 0, undefined, undefined],
  ])('%s', (_name, v, count, first, only) => {
    expect([countOf(v), firstOf(v), onlyOf(v)]).toEqual([count, first, only]);
  });
});
