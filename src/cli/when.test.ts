import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseWhen } from './when.js';

const NOW = Date.parse('2026-11-27T12:00:00Z');

describe('parseWhen', () => {
  it.each([
    ['90s', NOW - 90_000],
    ['15m', NOW - 15 * 60_000],
    ['1h', NOW - 3600_000],
    ['2d', NOW - 2 * 86_400_000],
    ['1w', NOW - 7 * 86_400_000],
    ['2026-11-27', Date.parse('2026-11-27T00:00:00Z')],
    ['2026-11-27T10:00', Date.parse('2026-11-27T10:00:00Z')],
    ['2026-11-27 10:00:30', Date.parse('2026-11-27T10:00:30Z')],
    ['2026-11-27T10:00:00.250Z', Date.parse('2026-11-27T10:00:00.250Z')],
    ['2026-11-27T10:00+01:00', Date.parse('2026-11-27T09:00:00Z')],
  ])('%s', (value, expected) => {
    expect(parseWhen(value, NOW)).toBe(expected);
  });

  it.each(['1 hour', 'yesterday', '1y', '-1h', '2026-02-30', '2026-13-01', '2026-11-27T25:00', '1700000000', ''])('refuses %j with the accepted forms', (value) => {
    expect(() => parseWhen(value, NOW)).toThrow(InvalidArgumentError);
    expect(() => parseWhen(value, NOW)).toThrow(/90s, 15m, 1h, 2d, 1w/);
  });
});
