/**
 * Loopback HTTP and WebSocket clients for the proxy suites: choose the source address
 * (`localAddress: '127.0.0.2'` plays an untrusted client), send repeated headers, and report a
 * WebSocket `connect` as one of three outcomes.
 */
import { request } from 'node:http';
import WebSocket from 'ws';
import { assertLoopback } from './processes.js';

export type Headers = Record<string, string | string[]>;

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The body parsed as JSON, or undefined. */
  json: any;
}

export interface ClientOptions {
  /** Header values given as arrays are sent as separate header lines. */
  headers?: Headers;
  /** Source address of the TCP connection (loopback only). */
  localAddress?: string;
  timeoutMs?: number;
}

function checkUrl(url: string): URL {
  const u = new URL(url);
  assertLoopback(u.hostname.replace(/^\[|\]$/g, ''));
  return u;
}

/** One HTTP request; redirects are not followed. */
export function httpRequest(url: string, opts: ClientOptions & { method?: string; body?: string } = {}): Promise<HttpResult> {
  const u = checkUrl(url);
  if (opts.localAddress) assertLoopback(opts.localAddress);
  return new Promise((resolve, reject) => {
    const req = request(u, { method: opts.method ?? 'GET', headers: opts.headers, localAddress: opts.localAddress, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
      });
      res.on('error', reject);
    });
    req.setTimeout(opts.timeoutMs ?? 10_000, () => req.destroy(new Error(`timed out: ${opts.method ?? 'GET'} ${url}`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

export type WsOutcome =
  /** The upgrade succeeded and `connect` was answered with hello-ok. */
  | { kind: 'hello'; identity: { user: string | null; method: string }; payload: any }
  /** The upgrade succeeded and the server closed (before or after answering connect). */
  | { kind: 'closed'; code: number; reason: string; error?: any }
  /** The upgrade was answered with something other than 101 (a proxy refusing, a redirect). */
  | { kind: 'rejected'; status: number; headers: Record<string, string | string[] | undefined>; body: string };

/**
 * Opens a WebSocket at `url`, sends the `connect` frame, and reports how it ended. A hello-ok
 * session is closed by the client (1000) before this resolves.
 */
export function wsConnect(url: string, opts: ClientOptions & { auth?: Record<string, string> } = {}): Promise<WsOutcome> {
  checkUrl(url.replace(/^ws/, 'http'));
  if (opts.localAddress) assertLoopback(opts.localAddress);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: opts.headers as Record<string, string>, localAddress: opts.localAddress, handshakeTimeout: timeoutMs, perMessageDeflate: false });
    let settled = false;
    let connectError: unknown;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(() => finish(() => {
      ws.terminate();
      reject(new Error(`WebSocket ${url}: no outcome within ${timeoutMs} ms`));
    }), timeoutMs);
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => finish(() => resolve({ kind: 'rejected', status: res.statusCode ?? 0, headers: res.headers, body })));
      res.on('error', () => finish(() => resolve({ kind: 'rejected', status: res.statusCode ?? 0, headers: res.headers, body })));
    });
    ws.on('open', () => {
      ws.send(JSON.stringify({ type: 'req', id: '1', method: 'connect', params: { protocol: 1, client: { name: 'proxy-suite', version: '0' }, auth: opts.auth ?? {} } }));
    });
    ws.on('message', (data) => {
      const f = JSON.parse(data.toString()) as { type: string; id?: string; ok?: boolean; payload?: any; error?: any };
      if (f.type !== 'res' || f.id !== '1') return;
      if (f.ok && f.payload?.type === 'hello-ok') {
        finish(() => {
          ws.close(1000);
          resolve({ kind: 'hello', identity: f.payload.identity, payload: f.payload });
        });
      } else {
        connectError = f.error;
      }
    });
    ws.on('close', (code, reason) => finish(() => resolve({ kind: 'closed', code, reason: reason.toString(), error: connectError })));
    ws.on('error', (err) => {
      // 'unexpected-response' handles non-101 answers; anything else is a transport failure.
      if (!settled && ws.readyState === WebSocket.CLOSED) finish(() => reject(err));
    });
  });
}
