import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import jsonMergePatch from 'json-merge-patch';
import { parse, type ParseError } from 'jsonc-parser';
import JSON5 from 'json5';
import { formattingOf } from './format.js';
import { mergePatchText, type EditStyle } from './jsonc-edit.js';

const fmt = { insertSpaces: true, tabSize: 2, eol: '\n' };

const FILE = `// Mayros gateway (edited by hand)
{
  "gateway": {
    "port": 18789, // the usual port
    "trustedProxies": ["127.0.0.1"],
    /* who may sign in */
    "auth": {
      "mode": "trusted-proxy",
      "trustedProxy": {
        "userHeader": "x-forwarded-user",
        "allowUsers": ["alice@example.com", "bob@example.com"], // people
      },
    },
  },
}
`;

function apply(text: string, patch: Record<string, unknown>, style?: EditStyle): string {
  return mergePatchText(text, JSON5.parse(text), patch, formattingOf(text), style);
}

describe('mergePatchText on a commented JSONC file', () => {
  it('replaces a one-line list on one line, and nothing else', () => {
    const out = apply(FILE, { gateway: { auth: { trustedProxy: { allowUsers: ['alice@example.com'] } } } });
    expect(out).toBe(FILE.replace('["alice@example.com", "bob@example.com"]', '["alice@example.com"]'));
  });

  it('replaces a scalar in place, its comment kept', () => {
    expect(apply(FILE, { gateway: { port: 8080 } })).toBe(FILE.replace('18789', '8080'));
  });

  it('adds a key on its own line after the last key and its comment, keeping the trailing comma', () => {
    const out = apply(FILE, { gateway: { auth: { trustedProxy: { allowGroups: ['admins'] } } } });
    expect(out).toBe(FILE.replace('// people\n', '// people\n        "allowGroups": ["admins"],\n'));
  });

  it('adds a nested object one key a line, indented as its neighbours', () => {
    const out = apply(FILE, { gateway: { limits: { maxConnections: 5 } } });
    expect(out).toBe(FILE.replace('    },\n  },\n}', '    },\n    "limits": {\n      "maxConnections": 5\n    },\n  },\n}'));
  });

  it('adds a comma to a last key written without one', () => {
    const text = '{\n  "a": 1 // one\n}\n';
    expect(apply(text, { b: 2 })).toBe('{\n  "a": 1, // one\n  "b": 2\n}\n');
  });

  it('removes a key with null, the rest untouched', () => {
    const out = apply(FILE, { gateway: { trustedProxies: null } });
    expect(out).toBe(FILE.replace('    "trustedProxies": ["127.0.0.1"],\n', ''));
  });

  it('replaces a multi-line value one item a line, at its indentation', () => {
    const text = '{\n  "list": [\n    1,\n    2\n  ], // c\n  "x": true\n}\n';
    expect(apply(text, { list: [3] })).toBe('{\n  "list": [\n    3\n  ], // c\n  "x": true\n}\n');
  });

  it('keeps tabs and CRLF line endings', () => {
    const text = '{\r\n\t"a": {\r\n\t\t"b": 1\r\n\t}\r\n}\r\n';
    expect(apply(text, { a: { c: { d: 1 } } })).toBe('{\r\n\t"a": {\r\n\t\t"b": 1,\r\n\t\t"c": {\r\n\t\t\t"d": 1\r\n\t\t}\r\n\t}\r\n}\r\n');
  });

  it('falls back to jsonc-parser for an object on one line', () => {
    const text = '{ "a": { "b": 1 } }';
    expect(JSON5.parse(apply(text, { a: { c: 2 } }))).toEqual({ a: { b: 1, c: 2 } });
  });
});

/** Values of a small config-like document: few keys, so patches hit existing ones. */
const key = fc.constantFrom('a', 'b', 'c', 'd', 'allowUsers', 'x y', 'é');
const scalar = fc.oneof(fc.string({ maxLength: 8 }), fc.integer({ min: -1000, max: 1000 }), fc.boolean(), fc.constant(null));
const { doc } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, scalar, fc.array(scalar, { maxLength: 3 }), tie('doc')),
  doc: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
}));
const { patch } = fc.letrec((tie) => ({
  pvalue: fc.oneof({ depthSize: 'small' }, scalar, fc.array(scalar, { maxLength: 3 }), tie('patch')),
  patch: fc.dictionary(key, tie('pvalue'), { maxKeys: 3 }),
}));

/** A JSONC rendering of `value` with a header comment, a comment on every line and, if asked, trailing commas. */
function jsoncText(value: unknown, indent: number, trailingCommas: boolean): string {
  const lines = JSON.stringify(value, null, indent).split('\n');
  const out = lines.map((line, i) => {
    const next = lines[i + 1]?.trim() ?? '';
    const closes = next.startsWith('}') || next.startsWith(']');
    const open = line.endsWith('{') || line.endsWith('[');
    const comma = trailingCommas && closes && !open && i > 0 ? ',' : '';
    return `${line}${comma} // line ${i}`;
  });
  return `/* header */\n${out.join('\n')}\n`;
}

describe('property: the in-place edit and the merge patch library agree', () => {
  // `splice` is the editor's way; `modify` (jsonc-parser alone) is its fallback, whose output is
  // checked before use: jsonc-parser leaves a stray comma when it removes a key followed by a
  // trailing comma, so it is held to files without them.
  it.each([
    ['splice', true],
    ['modify', false],
  ] as const)('%s edits parse to jsonMergePatch.apply(doc, patch), comments and all (trailing commas: %s)', (style, trailingCommas) => {
    fc.assert(
      fc.property(doc, patch, fc.constantFrom(2, 4), (d, p, indent) => {
        const text = jsoncText(d, indent, trailingCommas);
        const parsed = JSON5.parse(text) as Record<string, unknown>;
        expect(parsed).toEqual(d);
        const out = mergePatchText(text, parsed, p, formattingOf(text), style);
        const want = jsonMergePatch.apply(structuredClone(d), structuredClone(p));
        expect(JSON5.parse(out)).toEqual(want);
        // Still JSONC: the next edit is in place too.
        const errors: ParseError[] = [];
        expect(parse(out, errors, { allowTrailingComma: true })).toEqual(want);
        expect(errors).toEqual([]);
        expect(out.startsWith('/* header */\n')).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('mergePatchText removing keys', () => {
  it('removes the last key and the comma before it, so plain JSON stays plain JSON', () => {
    const text = '{\n  "a": 1, // one\n  "b": 2 // two\n}\n';
    const out = apply(text, { b: null });
    expect(out).toBe('{\n  "a": 1 // one\n}\n');
    expect(JSON.parse(apply('{\n  "a": 1,\n  "b": 2\n}\n', { b: null }))).toEqual({ a: 1 });
  });

  it('removes a multi-line value with its lines, the comment above it kept', () => {
    const out = apply(FILE, { gateway: { auth: null } });
    expect(out).toBe(FILE.replace(/    "auth": \{\n[\s\S]*?\n    \},\n/, ''));
    expect(out).toContain('/* who may sign in */');
  });
});
