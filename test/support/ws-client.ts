/**
 * WebSocket clients for the gateway over loopback, from a chosen source address
 * (`localAddress: '127.0.0.2'` plays an untrusted client):
 * - `wsClient` holds a session: sends `connect` once open (unless `connect: false`), keeps the
 *   frames, answers requests, reports the close;
 * - `wsConnect` opens one and resolves with the answer to `connect` (the reply frame, or undefined
 *   when the gateway closed first);
 * - `wsAttempt` reports one attempt as hello, closed, or rejected (a non-101 answer, e.g. from a
 *   proxy), and ends the session.
 */
import type { IncomingHttpHeaders } from 'node:http';
import WebSocket from 'ws';
import type { Headers, TlsClientOptions } from './http-client.js';
import { assertLoopback } from './processes.js';

export interface WsOptions {
  headers?: Headers;
  /** Source address of the TCP connection (loopback only). */
  localAddress?: string;
  /** The Origin header, as a browser sends it. */
  origin?: string;
  /** Send `connect` as soon as the socket opens (default true). */
  connect?: boolean;
  /** Credentials in the `connect` frame. */
  auth?: { token?: string; password?: string };
  /**
   * Once `connect` is answered, stop parsing and keeping frames: a bot among hundreds holds a
   * session and nothing more (parsing every presence event would make such a suite slow).
   */
  idle?: boolean;
  /** For wss:// URLs: the CA to trust, and a client certificate to present. */
  tls?: TlsClientOptions;
  /** Offer permessage-deflate (the ws default, true). */
  perMessageDeflate?: boolean;
  /**
   * How long the upgrade may take (none by default: hundreds of upgrades at once on a busy
   * machine can take seconds; the suite's own timeouts bound the wait).
   */
  handshakeTimeoutMs?: number;
}

export interface Closed {
  code: number;
  reason: string;
}

/** The answer to `connect`: admitted with the hello-ok payload, or closed (after an error reply, if any). */
export type Hello = { ok: true; payload: any } | { ok: false; closed: Closed; error?: any };

/** A non-101 answer to the upgrade. */
export interface Rejection {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface WsClient {
  ws: WebSocket;
  /** Frames received and not yet taken by next() (the connect reply is taken by `reply`). */
  frames: any[];
  /** Every event frame received, in order (never taken). */
  events: any[];
  /** Resolves once upgraded; rejects with "unexpected response <status>" on a non-101 answer. */
  opened: Promise<void>;
  closed: Promise<Closed>;
  /** When the close was seen (Date.now()), once it was. */
  closedAt(): number | undefined;
  /** The non-101 answer, once one came. */
  rejection(): Rejection | undefined;
  /**
   * The answer to `connect` (whoever sent it, with id CONNECT_ID; within 10 s of the upgrade), or
   * undefined when the connection closed (or the upgrade failed) first.
   */
  readonly reply: Promise<any>;
  readonly hello: Promise<Hello>;
  /** Resolves with the next frame matching `pred` (frames already received count) and takes it. */
  next(pred?: (f: any) => boolean, timeoutMs?: number): Promise<any>;
  send(frame: unknown): void;
  /** Sends a request once open; resolves with its response frame. */
  request(method: string, params?: unknown): Promise<any>;
  /** Ends the connection at once (no close handshake). */
  close(): void;
}

/** The request id of the `connect` frame these clients send. */
export const CONNECT_ID = 'connect-1';

export function connectFrame(auth?: { token?: string; password?: string }, protocol = 1) {
  return { type: 'req', id: CONNECT_ID, method: 'connect', params: { protocol, client: { name: 'test-client', version: '1.0.0' }, ...(auth ? { auth } : {}) } };
}

let seq = 0;

/**
 * The `ws+unix:` URL of the path `path` (default /) on the Unix socket `socket`, as the ws library
 * takes it.
 */
export function wsUnixUrl(socket: string, path = '/'): string {
  return `ws+unix:${socket}:${path}`;
}

/** `target` is the gateway's ws:// or wss:// URL, a ws+unix: URL (wsUnixUrl), or a port on 127.0.0.1 (path /). */
export function wsClient(target: string | number, opts: WsOptions = {}): WsClient {
  const url = typeof target === 'number' ? `ws://127.0.0.1:${target}/` : target;
  if (!url.startsWith('ws+unix:')) assertLoopback(new URL(url).hostname.replace(/^\[|\]$/g, ''));
  if (opts.localAddress) assertLoopback(opts.localAddress);
  const ws = new WebSocket(url, {
    headers: opts.headers as Record<string, string>,
    localAddress: opts.localAddress,
    origin: opts.origin,
    handshakeTimeout: opts.handshakeTimeoutMs,
    ...opts.tls,
    ...(opts.perMessageDeflate === false ? { perMessageDeflate: false } : {}),
  });
  const frames: any[] = [];
  const events: any[] = [];
  const waiters: Array<{ pred: (f: any) => boolean; resolve: (f: any) => void }> = [];
  let closedAt: number | undefined;
  let rejection: Rejection | undefined;
  let answered = false;
  ws.on('message', (data) => {
    if (opts.idle && answered) return;
    const f = JSON.parse(data.toString());
    if (f.id === CONNECT_ID) answered = true;
    if (f.type === 'event') events.push(f);
    frames.push(f);
    for (const w of [...waiters]) {
      if (w.pred(f) && frames.includes(f)) {
        waiters.splice(waiters.indexOf(w), 1);
        frames.splice(frames.indexOf(f), 1);
        w.resolve(f);
      }
    }
  });
  ws.on('error', () => undefined);
  const closed = new Promise<Closed>((resolve) =>
    ws.on('close', (code, reason) => {
      closedAt = Date.now();
      resolve({ code, reason: reason.toString() });
    }),
  );
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      const done = () => {
        rejection ??= { status: res.statusCode ?? 0, headers: res.headers, body };
        reject(new Error(`unexpected response ${res.statusCode}`));
        ws.terminate();
      };
      res.on('end', done);
      res.on('error', done);
    });
    void closed.then(() => reject(new Error('closed before the upgrade completed')));
  });
  opened.catch(() => undefined);

  let reply: Promise<any> | undefined;
  let hello: Promise<Hello> | undefined;
  const client: WsClient = {
    ws,
    frames,
    events,
    opened,
    closed,
    closedAt: () => closedAt,
    rejection: () => rejection,
    // Taken lazily: a test that sends its own connect frame may wait for the reply with next().
    get reply() {
      reply ??= Promise.race([
        opened.then(
          () => client.next((f) => f.id === CONNECT_ID, 10_000),
          () => undefined,
        ),
        closed.then(() => undefined),
      ]);
      return reply;
    },
    get hello() {
      hello ??= client.reply.then(async (f): Promise<Hello> => (f?.ok ? { ok: true, payload: f.payload } : { ok: false, closed: await closed, ...(f ? { error: f.error } : {}) }));
      return hello;
    },
    next(pred = () => true, timeoutMs = 10_000) {
      const seen = frames.find(pred);
      if (seen) {
        frames.splice(frames.indexOf(seen), 1);
        return Promise.resolve(seen);
      }
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error('timed out waiting for a frame'));
        }, timeoutMs);
        const waiter = {
          pred,
          resolve: (f: any) => {
            clearTimeout(t);
            resolve(f);
          },
        };
        waiters.push(waiter);
      });
    },
    send(frame) {
      ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
    },
    async request(method, params) {
      const id = `r${++seq}`;
      await opened;
      client.send({ type: 'req', id, method, params });
      return client.next((f) => f.type === 'res' && f.id === id);
    },
    close() {
      ws.terminate();
    },
  };
  if (opts.connect !== false) void opened.then(() => client.send(connectFrame(opts.auth)), () => undefined);
  return client;
}

/** Opens a session, sends `connect`, and resolves with the reply frame (undefined if closed first). */
export async function wsConnect(target: string | number, opts: Omit<WsOptions, 'connect'> = {}): Promise<{ client: WsClient; reply: any }> {
  const client = wsClient(target, { ...opts, connect: true });
  await client.opened;
  return { client, reply: await client.reply };
}

export type WsOutcome =
  /** Upgraded, and `connect` was answered with hello-ok (`whoami` when asked for). */
  | { kind: 'hello'; identity: { user: string | null; method: string; groups: string[] }; payload: any; whoami?: any }
  /** Upgraded, and the server closed (before or after answering connect with `error`). */
  | { kind: 'closed'; code: number; reason: string; error?: any }
  /** The upgrade was answered with something other than 101 (a proxy refusing, a redirect). */
  | { kind: 'rejected'; status: number; headers: IncomingHttpHeaders; body: string };

/**
 * One attempt: upgrade, `connect`, and (with `whoami`) one whoami request, reported as an outcome.
 * A hello-ok session is closed by the client (1000) before this resolves. Rejects on a transport
 * failure and after `timeoutMs`.
 */
export function wsAttempt(url: string, opts: Omit<WsOptions, 'connect'> & { whoami?: boolean; timeoutMs?: number } = {}): Promise<WsOutcome> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const c = wsClient(url, { perMessageDeflate: false, handshakeTimeoutMs: timeoutMs, ...opts, connect: true });
  let transportError: Error | undefined;
  c.ws.on('error', (err) => (transportError ??= err));
  const outcome = (async (): Promise<WsOutcome> => {
    const reply = await c.reply;
    const rejected = c.rejection();
    if (rejected) return { kind: 'rejected', ...rejected };
    if (reply?.ok && reply.payload?.type === 'hello-ok') {
      const whoami = opts.whoami ? (await c.request('whoami')).payload : undefined;
      c.ws.close(1000);
      return { kind: 'hello', identity: reply.payload.identity, payload: reply.payload, ...(opts.whoami ? { whoami } : {}) };
    }
    const closed = await c.closed;
    // 'error' before any upgrade answer, and no close frame: the connection itself failed.
    if (transportError && closed.code === 1006 && !reply) throw transportError;
    return { kind: 'closed', ...closed, ...(reply ? { error: reply.error } : {}) };
  })();
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      c.close();
      reject(new Error(`WebSocket ${url}: no outcome within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  return Promise.race([outcome, timeout]).finally(() => clearTimeout(timer));
}
