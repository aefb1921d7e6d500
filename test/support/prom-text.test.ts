import { describe, expect, it } from 'vitest';
import { conventionProblems, parsePromText, sampleValue } from './prom-text.js';

const good = `# HELP x_total Things.
# TYPE x_total counter
x_total{a="1",b="q\\"uote"} 3
x_total{a="2"} 4.5
# HELP h_seconds Time.
# TYPE h_seconds histogram
h_seconds_bucket{le="0.1"} 1
h_seconds_bucket{le="+Inf"} 2
h_seconds_sum 0.3
h_seconds_count 2
`;

describe('parsePromText (the test grammar itself)', () => {
  it('reads families, labels and values', () => {
    const f = parsePromText(good);
    expect(sampleValue(f, 'x_total', { b: 'q"uote' })).toBe(3);
    expect(sampleValue(f, 'x_total', { a: '2' })).toBe(4.5);
    expect(sampleValue(f, 'h_seconds_bucket', { le: '+Inf' })).toBe(2);
    expect(sampleValue(f, 'h_seconds_count')).toBe(2);
  });

  it.each([
    ['a sample of no family', 'y 1\n'],
    ['a bad label name', '# TYPE x counter\nx{1a="b"} 1\n'],
    ['an unquoted value', '# TYPE x counter\nx{a=b} 1\n'],
    ['a bad number', '# TYPE x counter\nx 1,5\n'],
    ['no final newline', '# TYPE x counter\nx 1'],
    ['a repeated label', '# TYPE x gauge\nx{a="1",a="2"} 1\n'],
  ])('refuses %s', (_name, text) => {
    expect(() => parsePromText(text)).toThrow();
  });

  it('finds convention problems', () => {
    const f = parsePromText('# HELP a_ms x\n# TYPE a_ms counter\na_ms 1\n');
    expect(conventionProblems(f, 'mayros_')).toEqual(['a_ms: no mayros_ prefix', 'a_ms: a counter without _total', 'a_ms: not a base unit']);
  });
});
