/**
 * Every way a request to a model server can fail, sorted into the five provider reasons, with a
 * short detail for the log and whether a retry (before the first token only) may help.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import type { ProviderCode } from '../protocol/reasons.js';

export interface ProviderFailure {
  reason: ProviderCode;
  /** For the gateway log: a status, an errno, or what was wrong with the stream. Holds no key. */
  detail: string;
  /** True when the same request may succeed if sent again (connection refused, 429, 5xx). */
  retryable: boolean;
  /** The server's Retry-After, in milliseconds, when it sent one. */
  retryAfterMs?: number;
}

/** The `code` of an error and of each error in its `cause` chain (ECONNREFUSED, UND_ERR_SOCKET...). */
function codes(err: unknown): string[] {
  const out: string[] = [];
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') out.push(code);
    for (const inner of (e as { errors?: unknown[] }).errors ?? []) {
      const c = (inner as { code?: unknown } | null)?.code;
      if (typeof c === 'string') out.push(c);
    }
  }
  return out;
}

/** Retry-After as milliseconds (seconds or an HTTP date; `retry-after-ms` first), if present. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  const ms = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const sec = Number.parseFloat(value);
  if (Number.isFinite(sec) && sec >= 0) return sec * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** The provider's own message, short, with the key blotted out should a server echo it. */
function said(message: string, secret: string | undefined): string {
  const m = secret ? message.split(secret).join('[redacted]') : message;
  return m.length > 200 ? `${m.slice(0, 200)}...` : m;
}

/** Sorts a failure; `secret` (the API key) is removed from any text taken from the server. */
export function classifyFailure(err: unknown, secret?: string): ProviderFailure {
  if (err instanceof APIConnectionTimeoutError) return { reason: 'provider_timeout', detail: 'no response in time', retryable: false };
  if (err instanceof APIConnectionError) {
    const c = codes(err.cause);
    // Node's TLS codes: ERR_TLS_CERT_ALTNAME_INVALID, CERT_HAS_EXPIRED, UNABLE_TO_VERIFY_LEAF_SIGNATURE...
    const tls = c.find((x) => /CERT|TLS|SSL|UNABLE_TO_/.test(x));
    return { reason: 'provider_unreachable', detail: tls ?? c.find((x) => x.startsWith('E')) ?? 'connection failed', retryable: !tls };
  }
  if (err instanceof APIError) {
    const status = err.status;
    if (status === undefined) return { reason: 'provider_error', detail: `error event in the stream: ${said(err.message, secret)}`, retryable: false };
    const detail = `HTTP ${said(err.message, secret)}`;
    if (status === 401 || status === 403) return { reason: 'provider_auth_failed', detail: `HTTP ${status}`, retryable: false };
    if (status === 429) {
      const after = retryAfterMs(err.headers);
      return after === undefined ? { reason: 'provider_rate_limited', detail, retryable: true } : { reason: 'provider_rate_limited', detail, retryable: true, retryAfterMs: after };
    }
    if (status === 408) return { reason: 'provider_timeout', detail, retryable: true };
    return { reason: 'provider_error', detail, retryable: status >= 500 };
  }
  if (err instanceof SyntaxError) return { reason: 'provider_error', detail: 'malformed stream: a chunk was not JSON', retryable: false };
  const c = codes(err);
  if (c.includes('UND_ERR_SOCKET') || c.includes('ECONNRESET') || (err instanceof TypeError && err.message === 'terminated')) {
    return { reason: 'provider_error', detail: 'stream cut: the connection closed mid-answer', retryable: false };
  }
  return { reason: 'provider_error', detail: err instanceof Error ? `${err.name}: ${said(err.message, secret)}` : 'unknown failure', retryable: false };
}
