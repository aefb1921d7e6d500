/**
 * The HTTP adapter: routes, security headers, and the rendering of auth failures.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Refusal } from '../auth/reasons.js';
import { REASONS, wireCode, type RequestCode } from '../protocol/reasons.js';
import type { Identity } from '../protocol/identity.js';
import { decide, logRejection, whenDecided, type Decision, type GatewayContext } from './context.js';
import type { StaticFiles } from './static.js';
import { headersCut, hostOf, peerOf } from './request.js';
import { shownHost } from '../auth/host.js';
import { forwardedVerdictHeaders } from '../net/forwarded.js';

/** Set on every response. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
});

/**
 * The headers of a JSON response: SECURITY_HEADERS, the JSON type, no caching, a CSP that loads
 * nothing, and the length. Written out as one literal because V8 builds a literal in a few
 * nanoseconds where spreading frozen header sets costs a hundred times that on every response
 * (docs/performance.md); a test checks it carries SECURITY_HEADERS.
 */
export function jsonHeaders(contentLength: number): Record<string, string | number> {
  return {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    'content-length': contentLength,
  };
}

/** Sends `text`, which must already be JSON and `bytes` long in UTF-8. */
function sendJsonText(res: ServerResponse, status: number, text: string, bytes: number, extra?: Readonly<Record<string, string>>): void {
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
 * The body of GET /api/whoami, byte for byte JSON.stringify({ user, method, groups }), and its
 * length in bytes (a property test checks both). The usual body (a plain user name, no groups)
 * is put together directly: stringifying it and asking Buffer.byteLength for its length cost
 * about as much as the whole auth decision (docs/performance.md).
 */
export function whoamiJson({ user, method, groups }: Identity): { text: string; bytes: number } {
  // `method` is one of a few lowercase words, so it never needs escaping.
  if (groups.length === 0 && (user === null || PLAIN.test(user))) {
    const text = `{"user":${user === null ? 'null' : `"${user}"`},"method":"${method}","groups":[]}`;
    return { text, bytes: text.length };
  }
  const text = JSON.stringify({ user, method, groups });
  return { text, bytes: Buffer.byteLength(text) };
}

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
export function refusalHeaders(refusal: HttpRefusal): Record<string, string> | undefined {
  const row = REASONS[refusal.reason];
  if (!('retryAfterMs' in refusal)) return row.headers;
  return { ...row.headers, 'retry-after': String(Math.max(1, Math.ceil(refusal.retryAfterMs / 1000))) };
}

/** Answers with the refusal's table row: status, extra headers, and the error body. */
export function sendRefusal(res: ServerResponse, refusal: HttpRefusal, claimedUser?: string): void {
  sendJson(res, REASONS[refusal.reason].status, failureBody(refusal, claimedUser), refusalHeaders(refusal));
}

export function createHttpHandler(ctx: GatewayContext, ui: StaticFiles | undefined) {
  return function handle(req: IncomingMessage, res: ServerResponse): void {
    // A header list Node may have cut is never decided on (see headersCut).
    if (headersCut(req)) return refuseCutHeaders(res);
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q >= 0 ? url.slice(0, q) : url;
    const method = req.method ?? 'GET';

    if (path === '/healthz') {
      if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(res);
      return sendJson(res, 200, { ok: true }, forwardedVerdictHeaders(peerOf(req), req.headers, ctx.generation.policy.trustedProxies));
    }

    if (path === '/readyz') {
      if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(res);
      // Ready = able to decide. Only signing keys can be missing; the detail stays in the log.
      const r = ctx.keys?.readiness() ?? { ready: true };
      const config = readyConfig(ctx);
      if (r.ready) return sendJson(res, 200, { ready: true, config });
      const unready = 'trusted_proxy_assertion_keys_unavailable';
      return sendJson(res, REASONS[unready].status, { ready: false, reason: unready, config });
    }

    // Everything but the health probes answers only to the names this gateway serves (DNS rebinding).
    const gen = ctx.generation;
    if (gen.hosts.enforced) {
      const host = hostOf(req);
      if (!gen.hosts.allows(host)) return refuseHost(ctx, req, res, host);
    }

    if (path.startsWith('/api/')) {
      if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(res);
      if (path !== '/api/whoami') return notFound(res);
      const d = decide(ctx, req, 'http');
      // The usual, synchronous decision is answered without allocating callbacks for it.
      if (!(d instanceof Promise)) return answerWhoami(res, d);
      return whenDecided(d, (decided) => answerWhoami(res, decided), () => answerUndecided(res));
    }

    if (ui && (method === 'GET' || method === 'HEAD') && ui.serve(path, req, res)) return;
    notFound(res);
  };
}

/**
 * What /readyz tells anyone, signed in or not: which config generation is in force and since when
 * (a counter and a time, so a reload can be confirmed through a proxy or without credentials).
 * Never a name, an address, a mode or a value from the config.
 */
function readyConfig(ctx: GatewayContext): { generation: number; loadedAt: string } {
  const gen = ctx.generation;
  return { generation: gen.n, loadedAt: new Date(gen.loadedAt).toISOString() };
}

function answerWhoami(res: ServerResponse, { result, claimedUser }: Decision): void {
  // The client may have gone while a signature was being checked.
  if (res.destroyed || res.writableEnded) return;
  if (!result.ok) return sendRefusal(res, result.failure, claimedUser);
  const { text, bytes } = whoamiJson(result.identity);
  sendJsonText(res, 200, text, bytes);
}

function answerUndecided(res: ServerResponse): void {
  if (!res.headersSent && !res.destroyed) sendRefusal(res, { reason: 'internal' });
  else res.destroy();
}

function refuseHost(ctx: GatewayContext, req: IncomingMessage, res: ServerResponse, host: string | string[] | undefined): void {
  logRejection(ctx, { reason: 'host_not_allowed', peer: peerOf(req), path: req.url ?? '', surface: 'http', detail: shownHost(host) });
  sendRefusal(res, { reason: 'host_not_allowed' });
}

/** The answer Node itself gives a header block over the byte limit (server.ts). */
function refuseCutHeaders(res: ServerResponse): void {
  res.shouldKeepAlive = false;
  res.writeHead(REASONS.request_headers_too_many.status, { connection: 'close', 'content-length': 0 });
  res.end();
}

function methodNotAllowed(res: ServerResponse): void {
  sendRefusal(res, { reason: 'method_not_allowed' });
}

function notFound(res: ServerResponse): void {
  sendRefusal(res, { reason: 'not_found' });
}
