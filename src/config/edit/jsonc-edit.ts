/**
 * An RFC 7396 merge patch applied to JSON/JSONC text as the smallest set of edits: only the
 * values the patch changes are rewritten; comments, blank lines, key order and the rest of the
 * layout stay byte for byte.
 *
 * jsonc-parser reads the text and locates values; the edits are made here. A value is replaced in
 * the style it was written in (a one-line list stays on one line); a new key goes on its own line
 * after the object's last key and that key's comment; a removed key takes its own lines with it.
 * jsonc-parser's own `modify` would re-indent the neighbouring value, put a new key before its
 * neighbour's trailing comment, and delete the previous key's comment with a removed key. It is
 * the fallback for layouts not handled here (an object written on one line).
 */
import { isDeepStrictEqual } from 'node:util';
import { applyEdits, createScanner, findNodeAtLocation, modify, parseTree, SyntaxKind, type FormattingOptions, type JSONPath, type Node } from 'jsonc-parser';
import jsonMergePatch from 'json-merge-patch';
import { isPlainObject } from './paths.js';

/** `splice`: the edits described above. `modify`: jsonc-parser's own edits only. */
export type EditStyle = 'splice' | 'modify';

/**
 * `text` with `patch` applied, where `current` is what the text parses to. The result should
 * parse to `jsonMergePatch.apply(current, patch)`; the caller checks that (a duplicate key, say,
 * can defeat it) and falls back.
 */
export function mergePatchText(text: string, current: Record<string, unknown>, patch: Record<string, unknown>, fmt: FormattingOptions, style: EditStyle = 'splice'): string {
  return edit(text, [], current, patch, fmt, style);
}

function edit(text: string, path: JSONPath, current: Record<string, unknown>, patch: Record<string, unknown>, fmt: FormattingOptions, style: EditStyle): string {
  let out = text;
  for (const [key, value] of Object.entries(patch)) {
    const has = Object.hasOwn(current, key);
    const was = has ? current[key] : undefined;
    const at = [...path, key];
    if (value === null) {
      if (has) out = (style === 'splice' ? removeProperty(out, at) : undefined) ?? applyEdits(out, modify(out, at, undefined, { formattingOptions: fmt }));
      continue;
    }
    // Both objects: merge key by key, so untouched keys (and their comments) are not rewritten.
    if (isPlainObject(value) && isPlainObject(was)) {
      out = edit(out, at, was, value, fmt, style);
      continue;
    }
    // Anything else sets the value; an object patch drops its own nulls (RFC 7396).
    const next: unknown = jsonMergePatch.apply(structuredClone(was), value);
    if (has && isDeepStrictEqual(next, was)) continue;
    const spliced = style === 'splice' ? (has ? replaceValue(out, at, next, fmt) : insertProperty(out, path, key, next, fmt)) : undefined;
    out = spliced ?? applyEdits(out, modify(out, at, next, { formattingOptions: fmt }));
  }
  return out;
}

function isScalar(v: unknown): boolean {
  return v === null || typeof v !== 'object';
}

type Layout = 'inline' | 'block' | 'expanded';

/**
 * JSON text for `value` whose first line continues a line indented by `indent`. `inline`: all on
 * one line. `block`: objects one key a line, lists of plain values on one line. `expanded`: every
 * object and list one item a line.
 */
function render(value: unknown, layout: Layout, indent: string, fmt: FormattingOptions): string {
  const unit = fmt.insertSpaces === false ? '\t' : ' '.repeat(fmt.tabSize ?? 2);
  const eol = fmt.eol ?? '\n';
  const inner = indent + unit;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (layout === 'inline' || (layout === 'block' && value.every(isScalar))) return `[${value.map((v) => render(v, 'inline', indent, fmt)).join(', ')}]`;
    return `[${eol}${value.map((v) => inner + render(v, layout, inner, fmt)).join(`,${eol}`)}${eol}${indent}]`;
  }
  if (isPlainObject(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    if (layout === 'inline') return `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${render(v, 'inline', indent, fmt)}`).join(', ')} }`;
    return `{${eol}${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${render(v, layout, inner, fmt)}`).join(`,${eol}`)}${eol}${indent}}`;
  }
  return JSON.stringify(value);
}

/** Leading whitespace of the line `offset` is on, and whether only whitespace precedes `offset` there. */
function lineIndent(text: string, offset: number): { indent: string; startsLine: boolean } {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(start, offset);
  const indent = /^[ \t]*/.exec(before)![0];
  return { indent, startsLine: indent.length === before.length };
}

/** Replaces the value at `path` in the style it was written in. */
function replaceValue(text: string, path: JSONPath, value: unknown, fmt: FormattingOptions): string | undefined {
  const tree = parseTree(text, [], { allowTrailingComma: true });
  const node = tree && findNodeAtLocation(tree, path);
  if (!node || !node.parent || node.parent.type !== 'property') return undefined;
  const old = text.slice(node.offset, node.offset + node.length);
  const { indent } = lineIndent(text, node.parent.offset);
  const layout: Layout = /[\r\n]/.test(old) ? 'expanded' : 'inline';
  return text.slice(0, node.offset) + render(value, layout, indent, fmt) + text.slice(node.offset + node.length);
}

/**
 * Adds `key` to the object at `path`, on its own line after the last key, that key's comma and
 * its comment, indented as the last key, keeping whether the object ends in a trailing comma.
 */
function insertProperty(text: string, path: JSONPath, key: string, value: unknown, fmt: FormattingOptions): string | undefined {
  const tree = parseTree(text, [], { allowTrailingComma: true });
  const obj: Node | undefined = tree && (path.length ? findNodeAtLocation(tree, path) : tree);
  const last = obj?.type === 'object' ? obj.children?.at(-1) : undefined;
  if (!last) return undefined;
  const { indent, startsLine } = lineIndent(text, last.offset);
  if (!startsLine) return undefined;

  const end = last.offset + last.length;
  const scanner = createScanner(text, false);
  scanner.setPosition(end);
  let comma = false;
  let lineEnd = -1;
  for (let kind = scanner.scan(); kind !== SyntaxKind.EOF; kind = scanner.scan()) {
    if (kind === SyntaxKind.CommaToken && !comma) comma = true;
    else if (kind === SyntaxKind.LineBreakTrivia) {
      lineEnd = scanner.getTokenOffset();
      break;
    } else if (!isTrivia(kind)) {
      // The closing brace (or anything else) on the last key's line: not a layout handled here.
      return undefined;
    }
  }
  if (lineEnd < 0) return undefined;
  const property = `${JSON.stringify(key)}: ${render(value, 'block', indent, fmt)}`;
  const line = `${fmt.eol ?? '\n'}${indent}${property}${comma ? ',' : ''}`;
  const withLine = text.slice(0, lineEnd) + line + text.slice(lineEnd);
  return comma ? withLine : withLine.slice(0, end) + ',' + withLine.slice(end);
}

/** Kinds that may sit between a value and the end of its line. */
function isTrivia(kind: SyntaxKind): boolean {
  return kind === SyntaxKind.Trivia || kind === SyntaxKind.LineCommentTrivia || kind === SyntaxKind.BlockCommentTrivia;
}

/**
 * Removes the key at `path` with the lines it is written on (its trailing comma and comment
 * included), when it starts a line and nothing else follows it on its last line. Removing the last
 * key also removes the comma after the key before it, so a plain JSON file stays plain JSON.
 */
function removeProperty(text: string, path: JSONPath): string | undefined {
  const tree = parseTree(text, [], { allowTrailingComma: true });
  const prop = tree && findNodeAtLocation(tree, path)?.parent;
  const siblings = prop?.type === 'property' ? prop.parent?.children : undefined;
  if (!prop || !siblings || !lineIndent(text, prop.offset).startsLine) return undefined;
  const scanner = createScanner(text, false);
  scanner.setPosition(prop.offset + prop.length);
  let comma = false;
  let end = -1;
  for (let kind = scanner.scan(); kind !== SyntaxKind.EOF; kind = scanner.scan()) {
    if (kind === SyntaxKind.CommaToken && !comma) comma = true;
    else if (kind === SyntaxKind.LineBreakTrivia) {
      end = scanner.getPosition();
      break;
    } else if (!isTrivia(kind)) return undefined;
  }
  if (end < 0) return undefined;
  const start = text.lastIndexOf('\n', prop.offset - 1) + 1;
  let out = text.slice(0, start) + text.slice(end);
  const index = siblings.indexOf(prop);
  if (!comma && index > 0) {
    // The key before becomes the last: drop its comma (found before any other token).
    const before = siblings[index - 1]!;
    scanner.setPosition(before.offset + before.length);
    let kind = scanner.scan();
    while (isTrivia(kind) || kind === SyntaxKind.LineBreakTrivia) kind = scanner.scan();
    if (kind !== SyntaxKind.CommaToken) return undefined;
    const at = scanner.getTokenOffset();
    out = out.slice(0, at) + out.slice(at + 1);
  }
  return out;
}
