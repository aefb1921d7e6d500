/**
 * The bearer credential of token and password modes, from the HTTP Authorization header.
 */

/** The bearer credential from the Authorization header value(s), if exactly one `Bearer ...` was sent. */
export function parseBearer(values: string | readonly string[] | undefined): string | undefined {
  if (values === undefined) return undefined;
  if (typeof values !== 'string') {
    if (values.length !== 1) return undefined;
    values = values[0]!;
  }
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(values);
  return m ? m[1] : undefined;
}
