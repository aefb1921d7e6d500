/**
 * The `before` / `next` cursor of sessions.list: where a page of sessions continues, as an opaque
 * string. It carries the last listed session's (updatedAt, key) in base64url; clients pass it back
 * unread. Decoding is strict (one canonical spelling), so a cursor that was not made here is
 * refused by name instead of paging from somewhere unexpected. Pure.
 */
import type { SessionCursor } from '../store/chat-types.js';

/** What the text inside holds: the time in ms and the session key (at most 64 characters, as sessionKeySchema). */
const INSIDE = /^(0|[1-9]\d{0,15}):([\x21-\x7e]{1,64})$/;

/** The cursor a client sends back for the page after `c`. */
export function encodeSessionCursor(c: SessionCursor): string {
  return Buffer.from(`${c.updatedAt}:${c.key}`, 'utf8').toString('base64url');
}

/** The position a cursor names, or undefined when `text` is not a cursor this module made. */
export function decodeSessionCursor(text: string): SessionCursor | undefined {
  if (text.length === 0 || text.length > 120 || !/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  const inside = Buffer.from(text, 'base64url').toString('utf8');
  const m = INSIDE.exec(inside);
  if (!m) return undefined;
  const updatedAt = Number(m[1]);
  const c = { updatedAt, key: m[2]! };
  // One spelling per cursor: base64url decoding forgives stray bits, a re-encoding does not.
  return Number.isSafeInteger(updatedAt) && encodeSessionCursor(c) === text ? c : undefined;
}
