/**
 * The unauthenticated attempts of `security audit --deep` (probe.ts): one HTTP request and one
 * WebSocket connect, each sorted into admitted, refused by the gateway (with its reason code),
 * stopped by a proxy before the gateway, or no clear answer.
 */
import WebSocket from 'ws';
import type { AuthMode } from '../config/schema.js';
import { reasonFromWireCode } from '../protocol/reasons.js';
import { httpGet } from '../probe/http-get.js';

/**
 * What one unauthenticated attempt got: admitted (with the method), refused by the gateway (with
 * the code), stopped by a proxy before the gateway (a sign-in demand without a reason code), or no
 * clear answer.
 */
export type Attempt =
  | { kind: 'admitted'; method: string; bind?: string }
  | { kind: 'refused'; code: string; status?: number; closeCode?: number }
  | { kind: 'stopped'; status: number; location?: string }
  | { kind: 'unclear'; detail: string };

/** Statuses by which a proxy asks for sign-in: a redirect to a login page, or 401/403/407. */
export function isSignInDemand(status: number): boolean {
  return status === 401 || status === 403 || status === 407 || (status >= 300 && status < 400 && status !== 304);
}

/** A redirect target without its query (sign-in URLs carry state and return addresses there). */
export function shortLocation(location: string | null | undefined, base: string): string | undefined {
  if (!location) return undefined;
  try {
    const u = new URL(location, base);
    return `${u.origin}${u.pathname}`;
  } catch {
    return undefined;
  }
}

/** The auth mode a refusal reason code belongs to, or undefined when it does not tell. */
export function modeFromReason(code: string): AuthMode | undefined {
  const reason = reasonFromWireCode(code);
  if (!reason) return undefined;
  if (reason.startsWith('trusted_proxy_')) return 'trusted-proxy';
  if (reason.startsWith('token_')) return 'token';
  if (reason.startsWith('password_')) return 'password';
  return undefined;
}

export function modeOf(a: Attempt): AuthMode | undefined {
  if (a.kind === 'admitted') return a.method === 'none' ? 'none' : (a.method as AuthMode);
  return a.kind === 'refused' ? modeFromReason(a.code) : undefined;
}

export interface Answer {
  status: number;
  body: unknown;
  headers: { get(name: string): string | null };
}

/** node:http, not fetch(): fetch refuses ports such as 6666 and 10080 (see probe/http-get.ts). */
export async function get(url: string, timeoutMs: number): Promise<Answer> {
  const { status, json, headers } = await httpGet(url, { timeoutMs });
  const get = (name: string): string | null => {
    const v = headers[name.toLowerCase()];
    return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
  };
  return { status, body: json, headers: { get } };
}

/** One GET /api/whoami without credentials. */
export async function httpAttempt(base: string, timeoutMs: number): Promise<Attempt> {
  const { status, body, headers } = await get(`${base}/api/whoami`, timeoutMs);
  const b = body as { method?: unknown; error?: { reason?: unknown } } | undefined;
  if (status === 200 && typeof b?.method === 'string') return { kind: 'admitted', method: b.method };
  if (typeof b?.error?.reason === 'string') return { kind: 'refused', code: b.error.reason, status };
  if (isSignInDemand(status)) return { kind: 'stopped', status, location: shortLocation(headers.get('location'), base) };
  return { kind: 'unclear', detail: `GET /api/whoami answered HTTP ${status} without a reason code` };
}

/** One WebSocket upgrade and `connect` frame without credentials; when admitted, asks `status`. */
export function wsAttempt(base: string, timeoutMs: number): Promise<Attempt> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/`, { handshakeTimeout: timeoutMs });
    // Settled by the close that follows: a refusal's close code, or the `status` reply.
    let admitted: Extract<Attempt, { kind: 'admitted' }> | undefined;
    let refused: Extract<Attempt, { kind: 'refused' }> | undefined;
    const done = (a: Attempt) => {
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.terminate();
      resolve(a);
    };
    const timer = setTimeout(() => done(admitted ?? refused ?? { kind: 'unclear', detail: 'the WebSocket probe timed out' }), timeoutMs);
    ws.on('open', () => {
      ws.send(JSON.stringify({ type: 'req', id: 'probe', method: 'connect', params: { protocol: 1, client: { name: 'mayros-audit' } } }));
    });
    ws.on('message', (data) => {
      let f: { id?: unknown; ok?: boolean; payload?: { identity?: { method?: string }; bind?: string }; error?: { reason?: string; code?: string } };
      try {
        f = JSON.parse(data.toString());
      } catch {
        return done({ kind: 'unclear', detail: 'the gateway sent a frame that is not JSON' });
      }
      if (f.id === 'probe') {
        if (!f.ok) {
          if (!f.error?.reason) return done({ kind: 'unclear', detail: `connect was refused with ${f.error?.code ?? 'no code'}` });
          refused = { kind: 'refused', code: f.error.reason };
          return;
        }
        admitted = { kind: 'admitted', method: f.payload?.identity?.method ?? 'unknown' };
        ws.send(JSON.stringify({ type: 'req', id: 'status', method: 'status' }));
      } else if (f.id === 'status' && admitted) {
        done({ ...admitted, bind: f.payload?.bind });
      }
    });
    ws.on('close', (code, reason) => {
      if (admitted) return done(admitted);
      if (refused) return done({ ...refused, closeCode: code });
      const text = reason.toString();
      done(text ? { kind: 'refused', code: text, closeCode: code } : { kind: 'unclear', detail: `the WebSocket closed with ${code} and no reason` });
    });
    ws.on('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      // The gateway completes every upgrade at / and refuses with a close code: an HTTP answer is a proxy's.
      const location = res.headers.location;
      done(isSignInDemand(status) ? { kind: 'stopped', status, location: shortLocation(typeof location === 'string' ? location : undefined, base) } : { kind: 'unclear', detail: `the WebSocket upgrade got HTTP ${status}` });
    });
    ws.on('error', (err) => done({ kind: 'unclear', detail: `the WebSocket probe failed: ${err.message}` }));
  });
}

export function describeStatus(status: number, location: string | undefined): string {
  return `HTTP ${status}${location ? ` to ${location}` : ''}`;
}

export function describe(a: Attempt): string {
  if (a.kind === 'admitted') return `admitted (method "${a.method}")`;
  if (a.kind === 'refused') return `refused with ${a.code}${a.status ? ` (HTTP ${a.status})` : ''}${a.closeCode ? ` (close ${a.closeCode})` : ''}`;
  if (a.kind === 'stopped') return `stopped by a proxy before the gateway (${describeStatus(a.status, a.location)}, no reason code)`;
  return `no clear answer: ${a.detail}`;
}
