/**
 * In-process gateway and loopback clients for real-socket tests. Every client can bind its
 * source address (127.0.0.1 plays the proxy, 127.0.0.2 the attacker).
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import WebSocket from 'ws';
import { parseConfigObject } from '../../src/config/parse.js';
import { validateForStartup } from '../../src/config/validate.js';
import { resolvedConfig } from '../../src/config/load.js';
import { startGateway, type GatewayOptions, type RunningGateway } from '../../src/gateway/server.js';

export interface TestGateway {
  gw: RunningGateway;
  url: string;
  wsUrl: string;
  port: number;
  /** Parsed log lines written so far. */
  logs: Array<Record<string, unknown>>;
  /** Raw log text written so far. */
  rawLogs(): string;
  stop(): Promise<void>;
}

export async function startTestGateway(gateway: Record<string, unknown>, opts: Partial<GatewayOptions> = {}): Promise<TestGateway> {
  const config = parseConfigObject({ gateway: { port: 0, ...gateway } });
  const issues = validateForStartup(config);
  if (issues.length) throw new Error(`test config invalid: ${JSON.stringify(issues)}`);
  const resolved = resolvedConfig({ file: '(test)', fileFound: false, stateDir: mkdtempSync(join(tmpdir(), 'mayros-state-')), config, sources: new Map() });
  let raw = '';
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      const text = chunk.toString();
      raw += text;
      for (const line of text.split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  const logger = pino({ level: 'info' }, sink);
  const gw = await startGateway({ resolved, logger, ...opts });
  const url = `http://127.0.0.1:${gw.port}`;
  return { gw, url, wsUrl: `ws://127.0.0.1:${gw.port}/`, port: gw.port, logs, rawLogs: () => raw, stop: () => gw.close(500) };
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

/**
 * GET from a chosen source address. `headers` may be an array in rawHeaders form
 * (['Name', 'value', 'Name', 'value2']) to send a header twice.
 */
export function httpGet(url: string, opts: { headers?: Record<string, string | string[]> | string[]; from?: string; method?: string } = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers as any, localAddress: opts.from ?? '127.0.0.1', agent: false, timeout: 5000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

export interface WsClient {
  ws: WebSocket;
  /** Resolves with the next frame matching `pred` (already-received frames count). */
  next(pred?: (f: any) => boolean, timeoutMs?: number): Promise<any>;
  send(frame: unknown): void;
  request(method: string, params?: unknown): Promise<any>;
  /** Resolves when the socket closes. */
  closed: Promise<{ code: number; reason: string }>;
  opened: Promise<void>;
  frames: any[];
  close(): void;
}

let seq = 0;

export function wsOpen(url: string, opts: { headers?: Record<string, string | string[]>; from?: string; origin?: string } = {}): WsClient {
  const ws = new WebSocket(url, { headers: opts.headers, localAddress: opts.from ?? '127.0.0.1', origin: opts.origin, handshakeTimeout: 5000 });
  const frames: any[] = [];
  const waiters: Array<{ pred: (f: any) => boolean; resolve: (f: any) => void }> = [];
  ws.on('message', (data) => {
    const f = JSON.parse(data.toString());
    frames.push(f);
    for (const w of [...waiters]) {
      if (w.pred(f)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(f);
      }
    }
  });
  ws.on('error', () => undefined);
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`unexpected response ${res.statusCode}`)));
  });
  const client: WsClient = {
    ws,
    frames,
    closed,
    opened,
    next(pred = () => true, timeoutMs = 5000) {
      const seen = frames.find(pred);
      if (seen) {
        frames.splice(frames.indexOf(seen), 1);
        return Promise.resolve(seen);
      }
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('timed out waiting for a frame')), timeoutMs);
        waiters.push({
          pred,
          resolve: (f) => {
            clearTimeout(t);
            frames.splice(frames.indexOf(f), 1);
            resolve(f);
          },
        });
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
  return client;
}

export function connectFrame(auth?: { token?: string; password?: string }, protocol = 1) {
  return { type: 'req', id: 'connect-1', method: 'connect', params: { protocol, client: { name: 'test-client', version: '1.0.0' }, ...(auth ? { auth } : {}) } };
}

/** Opens a socket and sends connect; resolves with the reply frame (or undefined if closed first). */
export async function wsConnect(url: string, opts: Parameters<typeof wsOpen>[1] & { auth?: { token?: string; password?: string } } = {}) {
  const c = wsOpen(url, opts);
  await c.opened;
  c.send(connectFrame(opts.auth));
  const reply = await Promise.race([c.next((f) => f.id === 'connect-1'), c.closed.then(() => undefined)]);
  return { client: c, reply };
}

/** Sends bytes exactly as given and returns everything the server wrote until it closed. */
export function rawRequest(port: number, text: string, from = '127.0.0.1', timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect({ port, host: '127.0.0.1', localAddress: from });
    let out = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error('raw request timed out'));
    }, timeoutMs);
    sock.setEncoding('utf8');
    sock.on('data', (d) => (out += d));
    sock.on('error', reject);
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
    sock.write(text);
  });
}
