import { describe, expect, it } from 'vitest';
import { colorEnabled, createStyle } from './style.js';

describe('colorEnabled', () => {
  it.each([
    [{ isTTY: true }, {}, true],
    [{ isTTY: false }, {}, false],
    [{}, {}, false],
    [{ isTTY: true }, { NO_COLOR: '1' }, false],
    [{ isTTY: true }, { NO_COLOR: '' }, true],
    [{ isTTY: true }, { TERM: 'dumb' }, false],
  ])('%o with env %o -> %s', (stream, env, want) => {
    expect(colorEnabled(stream, env)).toBe(want);
  });
});

describe('createStyle', () => {
  it('adds ANSI codes only when enabled', () => {
    expect(createStyle(false).red('x')).toBe('x');
    expect(createStyle(true).red('x')).toBe('\u001b[31mx\u001b[39m');
    expect(createStyle(true).bold('x')).toBe('\u001b[1mx\u001b[22m');
  });
});
