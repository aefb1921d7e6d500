/**
 * The names in a certificate that may identify a proxy: the subject's CN, and the DNS and URI
 * entries of its subjectAltName. Read from Node's "legacy" certificate object
 * (`TLSSocket.getPeerCertificate()`, `X509Certificate.toLegacyObject()`), whose subjectAltName is
 * one string such as `DNS:proxy.example.com, URI:"spiffe://example.org/a\u002cb", email:x@y`:
 * entries separated by ", ", and a value that holds a separator, a quote or anything unusual
 * written as a JSON string (Node escapes it so that a name cannot pose as two entries).
 */
import type { CertNames } from './transport.js';

/** The part of Node's legacy certificate object read here. */
export interface LegacyCertificate {
  subject?: Readonly<Record<string, string | readonly string[] | undefined>> | null;
  subjectaltname?: string;
}

/**
 * Each `TYPE:value` entry of a subjectAltName string, in order. Parsing stops at the first entry it
 * cannot read, so a malformed string can only lose names, never make one up.
 */
export function parseSubjectAltName(text: string): Array<{ type: string; value: string }> {
  const out: Array<{ type: string; value: string }> = [];
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(':', i);
    if (colon < 0) break;
    const type = text.slice(i, colon);
    let value: string;
    let next: number;
    if (text[colon + 1] === '"') {
      // A JSON string: find its closing quote, skipping escaped characters.
      let j = colon + 2;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) break;
      try {
        value = JSON.parse(text.slice(colon + 1, j + 1)) as string;
      } catch {
        break;
      }
      next = j + 1;
    } else {
      const end = text.indexOf(', ', colon + 1);
      next = end < 0 ? text.length : end;
      value = text.slice(colon + 1, next);
    }
    out.push({ type, value });
    if (next >= text.length) break;
    if (text.slice(next, next + 2) !== ', ') break;
    i = next + 2;
  }
  return out;
}

function list(v: string | readonly string[] | undefined): readonly string[] {
  if (v === undefined) return [];
  return typeof v === 'string' ? [v] : v;
}

/** The certificate's CN(s) and its DNS and URI subjectAltNames. */
export function certNames(cert: LegacyCertificate): CertNames {
  const dns: string[] = [];
  const uri: string[] = [];
  for (const { type, value } of parseSubjectAltName(cert.subjectaltname ?? '')) {
    if (type === 'DNS') dns.push(value);
    else if (type === 'URI') uri.push(value);
  }
  return { cn: [...list(cert.subject?.['CN'])], dns, uri };
}

/** The names for a log line or a trace: `CN=a, DNS:b, URI:c`, bounded. */
export function describeCertNames(n: CertNames): string {
  const parts = [...n.cn.map((x) => `CN=${x}`), ...n.dns.map((x) => `DNS:${x}`), ...n.uri.map((x) => `URI:${x}`)];
  const text = parts.length ? parts.join(', ') : 'no CN, DNS or URI name';
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}
