/**
 * Writing JSON responses, and the body of GET /api/whoami built without JSON.stringify.
 */
import type { ServerResponse } from 'node:http';
import type { Identity } from '../../protocol/identity.js';
import type { ScopeList } from '../../protocol/scopes.js';
import { jsonHeaders } from './headers.js';

/** Sends `text`, which must already be JSON and `bytes` long in UTF-8. */
export function sendJsonText(res: ServerResponse, status: number, text: string, bytes: number, extra?: Readonly<Record<string, string>>): void {
  const headers = jsonHeaders(bytes);
  if (extra) Object.assign(headers, extra);
  res.writeHead(status, headers);
  res.end(text);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, extra?: Readonly<Record<string, string>>): void {
  const text = JSON.stringify(body);
  sendJsonText(res, status, text, Buffer.byteLength(text), extra);
}

/** Printable ASCII but quote and backslash: such a string, quoted, is its own JSON text, one byte per character. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * The JSON of each shared scope list (scopesFor returns one of eight frozen lists), made on first
 * use. Scope names are plain ASCII, so a text's length is its length in bytes.
 */
const scopeListJson = new WeakMap<ScopeList, string>();

function scopesJson(scopes: ScopeList): string {
  let json = scopeListJson.get(scopes);
  if (json === undefined) {
    json = JSON.stringify(scopes);
    // Only frozen lists can be kept: another array could change after its text was made.
    if (Object.isFrozen(scopes)) scopeListJson.set(scopes, json);
  }
  return json;
}

/**
 * The body of GET /api/whoami, byte for byte JSON.stringify({ user, method, groups, scopes }), and
 * its length in bytes (a property test checks both). The usual body (a plain user name, no groups)
 * is put together directly: stringifying it and asking Buffer.byteLength for its length cost
 * about as much as the whole auth decision (docs/performance.md).
 */
export function whoamiJson({ user, method, groups }: Identity, scopes: ScopeList): { text: string; bytes: number } {
  // `method` is one of a few lowercase words, so it never needs escaping.
  if (groups.length === 0 && (user === null || PLAIN.test(user))) {
    const text = `{"user":${user === null ? 'null' : `"${user}"`},"method":"${method}","groups":[],"scopes":${scopesJson(scopes)}}`;
    return { text, bytes: text.length };
  }
  const text = JSON.stringify({ user, method, groups, scopes });
  return { text, bytes: Buffer.byteLength(text) };
}
