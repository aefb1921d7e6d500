/**
 * The described request of `auth explain`: `Name: value` header arguments parsed, turned into the
 * bytes a proxy would send, and shown back with credentials hidden.
 */
import { wireForm } from '../auth/header-text.js';

/** Thrown for a described request that cannot be sent (bad address, malformed header). */
export class ExplainInputError extends Error {
  override name = 'ExplainInputError';
}

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
/** Header values shown as "(hidden)": credentials a proxy or client may send. */
const SECRET_HEADER = /authorization|cookie|token|secret|password|assertion|api-?key/i;

/** Parses `Name: value` arguments into a header map (names lowercased, repeats kept as arrays). */
export function parseHeaderArgs(args: readonly string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const arg of args) {
    const colon = arg.indexOf(':');
    const name = colon > 0 ? arg.slice(0, colon).trim() : '';
    if (!name || !HEADER_NAME.test(name)) {
      throw new ExplainInputError(`--header "${arg.length > 60 ? `${arg.slice(0, 60)}...` : arg}" is not "Name: value"; write e.g. --header 'X-Forwarded-User: nick@example.com'`);
    }
    const key = name.toLowerCase();
    const value = arg.slice(colon + 1).trim();
    const prev = out[key];
    out[key] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value];
  }
  return out;
}

/**
 * The headers as the gateway would receive them: each value's UTF-8 bytes, one char per byte, as
 * Node hands them over. Command-line arguments are text; a proxy sends bytes. Deciding on the bytes
 * makes explain and the gateway agree on names that are not ASCII.
 */
export function wireHeaders(headers: Record<string, string | string[]>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = Array.isArray(v) ? v.map(wireForm) : wireForm(v);
  return out;
}

/** The headers with credential values hidden, for showing back. */
export function redacted(headers: Record<string, string | string[]>): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, SECRET_HEADER.test(k) ? (Array.isArray(v) ? v.map(() => '(hidden)') : '(hidden)') : v]));
}
