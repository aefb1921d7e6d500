import JSON5 from 'json5';
import { describe, expect, it } from 'vitest';
import { detectFormat, formattingOf, renderJson } from './format.js';

describe('detectFormat', () => {
  it.each([
    ['plain JSON', '{"gateway": {"port": 1}}'],
    ['line and block comments', '// top\n{ /* a */ "gateway": { "port": 1 } // b\n}'],
    ['trailing commas', '{ "gateway": { "port": 1, }, }'],
    ['an empty object', '{}'],
  ])('%s is JSONC, edited in place', (_name, text) => {
    expect(detectFormat(text, JSON5.parse(text))).toBe('jsonc');
  });

  it.each([
    ['unquoted keys', '{ gateway: { port: 1 } }'],
    ['single quotes', "{ \"gateway\": { \"bind\": 'lan' } }"],
    ['a hex number', '{ "gateway": { "port": 0x50 } }'],
    ['+Infinity', '{ "x": +Infinity }'],
    ['NaN', '{ "x": NaN }'],
    ['a leading decimal point', '{ "x": .5 }'],
    ['a trailing decimal point', '{ "x": 5. }'],
    ['an explicit plus sign', '{ "x": +1 }'],
    ['a string continued over a line', '{ "x": "a\\\nb" }'],
  ])('%s is JSON5-only, rewritten on an edit', (_name, text) => {
    expect(detectFormat(text, JSON5.parse(text))).toBe('json5');
  });
});

describe('formattingOf and renderJson', () => {
  it.each([
    ['two spaces', '{\n  "a": 1\n}\n', { insertSpaces: true, tabSize: 2, eol: '\n' }],
    ['four spaces after a comment block', '/*\n * note\n */\n{\n    "a": 1\n}\n', { insertSpaces: true, tabSize: 4, eol: '\n' }],
    ['tabs and CRLF', '{\r\n\t"a": 1\r\n}\r\n', { insertSpaces: false, tabSize: 1, eol: '\r\n' }],
    ['one line', '{"a":1}', { insertSpaces: true, tabSize: 2, eol: '\n' }],
    ['JSON5 keys', '{\n   a: 1\n}\n', { insertSpaces: true, tabSize: 3, eol: '\n' }],
  ])('read the layout of %s', (_name, text, want) => {
    expect(formattingOf(text)).toEqual(want);
  });

  it('renders in that layout', () => {
    expect(renderJson({ a: { b: [1] } }, { insertSpaces: false, tabSize: 1, eol: '\r\n' })).toBe('{\r\n\t"a": {\r\n\t\t"b": [\r\n\t\t\t1\r\n\t\t]\r\n\t}\r\n}\r\n');
  });
});
