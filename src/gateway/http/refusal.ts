/**
 * HTTP refusals, rendered from the reason table: the row's status, its extra headers and the
 * error body `{ error: { type, reason, message, fix } }`.
 */
import type { ServerResponse } from 'node:http';
import type { Refusal } from '../../auth/reasons.js';
import { REASONS, wireCode, type RequestCode } from '../../protocol/reasons.js';
import { scopeMissingMessage, type Scope, type ScopeList } from '../../protocol/scopes.js';
import { sendJson } from './json.js';

/** What an HTTP request can be answered with from the reason table. */
export type HttpRefusal = Refusal | { reason: RequestCode };

/**
 * The HTTP error body for a refusal: its table row's type, code and sentences. `claimedUser`
 * (trusted-proxy refusals of a request from a configured proxy) tells the refused person whose
 * sign-in the gateway refused.
 */
export function failureBody(refusal: HttpRefusal, claimedUser?: string): { error: { type: string; reason: string; message: string; fix: string; claimedUser?: string } } {
  const row = REASONS[refusal.reason];
  const error = { type: row.type, reason: wireCode(refusal), message: row.message, fix: row.fix };
  return { error: claimedUser === undefined ? error : { ...error, claimedUser } };
}

/** The row's extra response headers, with Retry-After from a lockout's remaining time. */
export function refusalHeaders(refusal: HttpRefusal): Readonly<Record<string, string>> | undefined {
  const row = REASONS[refusal.reason];
  if (!('retryAfterMs' in refusal)) return row.headers;
  return { ...row.headers, 'retry-after': String(Math.max(1, Math.ceil(refusal.retryAfterMs / 1000))) };
}

/** Answers with the refusal's table row: status, extra headers, and the error body. */
export function sendRefusal(res: ServerResponse, refusal: HttpRefusal, claimedUser?: string): void {
  sendJson(res, REASONS[refusal.reason].status, failureBody(refusal, claimedUser), refusalHeaders(refusal));
}

/**
 * A `scope_missing` refusal: the row's status and type, with the same message as the WebSocket
 * error ("/api/security/audit needs operator.admin; you have operator.read, operator.write") and
 * the row's fix.
 */
export function sendScopeMissing(res: ServerResponse, what: string, needed: Scope, scopes: ScopeList): void {
  const row = REASONS.scope_missing;
  sendJson(res, row.status, { error: { type: row.type, reason: 'scope_missing', message: scopeMissingMessage(what, needed, scopes), fix: row.fix } });
}

/** The answer Node itself gives a header block over the byte limit (server.ts): a bare status, no body. */
export function refuseCutHeaders(res: ServerResponse): void {
  res.shouldKeepAlive = false;
  res.writeHead(REASONS.request_headers_too_many.status, { connection: 'close', 'content-length': 0 });
  res.end();
}
