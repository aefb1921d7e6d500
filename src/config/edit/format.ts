/**
 * Which way a config file can be edited. jsonc-parser edits JSON and JSONC (comments, trailing
 * commas) in place; a file using JSON5-only syntax (unquoted keys, single quotes, hex numbers,
 * Infinity, ...) cannot be, and is rewritten as formatted JSON instead (its comments then live only
 * in the `.bak` copy kept beside it).
 */
import { isDeepStrictEqual } from 'node:util';
import { parse, type FormattingOptions, type ParseError } from 'jsonc-parser';

/** `jsonc`: edited in place. `json5`: JSON5-only syntax, rewritten on an edit. */
export type FileFormat = 'jsonc' | 'json5';

/**
 * `jsonc` when jsonc-parser reads the text with no error and to the same value the loader read
 * (`parsed`); anything else is `json5`. Comparing the values, not only the errors, keeps a file
 * the two parsers read differently off the in-place path.
 */
export function detectFormat(text: string, parsed: unknown): FileFormat {
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  return errors.length === 0 && isDeepStrictEqual(value, parsed) ? 'jsonc' : 'json5';
}

/**
 * The file's own line ending and indentation, so that inserted lines and a rewritten file look
 * like the rest: taken from the first indented line that starts a key.
 */
export function formattingOf(text: string): FormattingOptions {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indent = /^([ \t]+)["'A-Za-z_$]/m.exec(text)?.[1];
  if (indent?.startsWith('\t')) return { insertSpaces: false, tabSize: 1, eol };
  return { insertSpaces: true, tabSize: indent ? indent.length : 2, eol };
}

/** A whole file written from `value`: JSON (which JSON5 reads too), in the file's indentation and line ending. */
export function renderJson(value: unknown, fmt: FormattingOptions): string {
  const json = JSON.stringify(value, null, fmt.insertSpaces ? fmt.tabSize : '\t');
  return `${json}\n`.replace(/\n/g, fmt.eol ?? '\n');
}
