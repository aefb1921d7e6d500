/**
 * The bearer credential of token and password modes, from the HTTP Authorization header.
 */
import { onlyOf } from './header-values.js';

/** The bearer credential from the Authorization header value(s), if exactly one `Bearer ...` was sent. */
export function parseBearer(values: string | readonly string[] | undefined): string | undefined {
  const value = onlyOf(values);
  if (value === undefined) return undefined;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(value);
  return m ? m[1] : undefined;
}
