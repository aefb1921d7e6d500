/**
 * Shared helpers for the reload, limit and fault suites: an in-process gateway on a temp config
 * file with captured logs, WebSocket and HTTP clients bound to chosen loopback addresses, and a
 * raw TCP client for misbehaving peers. Loopback only.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import WebSocket from 'ws';
import { loadConfigForStartup, type LoadOptions } from '../../src/config/load.js';
import { ensureToken } from '../../src/config/token-store.js';
import { startGateway, type GatewayOptions, type RunningGateway } from '../../src/gateway/server.js';

export type LogLine = Record<string, unknown> & { msg?: string; event?: string };

/** A pino logger that keeps every line in memory. */
export function memoryLogger() {
  const lines: LogLine[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString('utf8').split('\n')) if (l) lines.push(JSON.parse(l) as LogLine);
      cb();
    },
  });
  return { logger: pino({ level: 'debug', base: undefined }, out), lines };
}

/** Writes a file the way editors do: a temp file renamed over the old one. */
export function replaceFile(file: string, text: string): void {
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

export function configText(gateway: Record<string, unknown>): string {
  return JSON.stringify({ gateway: { port: 0, ...gateway } }, null, 2);
}

export interface TestGateway {
  gw: RunningGateway;
  port: number;
  dir: string;
  file: string;
  logs: LogLine[];
  /** Rewrites the config (rename-replace) and reloads it at once. */
  rewrite(gateway: Record<string, unknown>): ReturnType<RunningGateway['reload']>;
  stop(): Promise<void>;
}

/** Starts a gateway in this process on a temp config file (port 0, loopback). */
export async function startTestGateway(gateway: Record<string, unknown>, extra: Partial<GatewayOptions> = {}): Promise<TestGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'mayros-rel-'));
  const file = join(dir, 'mayros.json');
  writeFileSync(file, configText(gateway));
  const loadOptions: LoadOptions = { configPath: file, env: { MAYROS_STATE_DIR: dir } };
  const { resolved } = ensureToken(loadConfigForStartup(loadOptions));
  const { logger, lines } = memoryLogger();
  const gw = await startGateway({ resolved, logger, loadOptions, ...extra });
  return {
    gw,
    port: gw.port,
    dir,
    file,
    logs: lines,
    rewrite(g) {
      replaceFile(file, configText(g));
      return gw.reload('api');
    },
    async stop() {
      await gw.close(500);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `pred` every 10 ms until true; fails after `timeoutMs`. */
export async function waitFor(pred: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resolves with `p`, or fails after `ms` naming what did not happen. */
export function within<T>(p: Promise<T>, ms: number, what = 'promise'): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export interface Closed {
  code: number;
  reason: string;
  at: number;
}

export interface Client {
  ws: WebSocket;
  /** The hello-ok payload, or the close when refused. */
  hello: Promise<{ ok: true; payload: Record<string, unknown> } | { ok: false; closed: Closed; error?: unknown }>;
  closed: Promise<Closed>;
  /** Sends a request and resolves with its response frame. */
  call(method: string, params?: unknown): Promise<Record<string, unknown>>;
  events: Array<Record<string, unknown>>;
}

export interface ClientOptions {
  headers?: Record<string, string>;
  localAddress?: string;
  auth?: { token?: string; password?: string };
  /** Send the connect frame on open (default true). */
  connect?: boolean;
}

/** Opens a WebSocket to the gateway root and (by default) sends `connect`. */
export function wsClient(port: number, opts: ClientOptions = {}): Client {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { headers: opts.headers, localAddress: opts.localAddress ?? '127.0.0.1' });
  const pending = new Map<string, (f: Record<string, unknown>) => void>();
  const events: Array<Record<string, unknown>> = [];
  let seq = 0;
  ws.on('error', () => undefined);
  const closed = new Promise<Closed>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString(), at: Date.now() })));
  const hello = new Promise<Awaited<Client['hello']>>((resolve) => {
    let error: unknown;
    ws.on('message', (data) => {
      const f = JSON.parse(data.toString()) as Record<string, unknown>;
      if (f.type === 'event') events.push(f);
      if (f.id === 'connect') {
        if (f.ok) resolve({ ok: true, payload: f.payload as Record<string, unknown> });
        else error = f.error;
      }
      const fn = typeof f.id === 'string' ? pending.get(f.id) : undefined;
      if (fn) {
        pending.delete(f.id as string);
        fn(f);
      }
    });
    void closed.then((c) => resolve({ ok: false, closed: c, error }));
  });
  if (opts.connect !== false) {
    ws.on('open', () => ws.send(JSON.stringify({ type: 'req', id: 'connect', method: 'connect', params: { protocol: 1, client: { name: 'test' }, auth: opts.auth ?? {} } })));
  }
  return {
    ws,
    hello,
    closed,
    events,
    call(method, params) {
      const id = `r${++seq}`;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        ws.send(JSON.stringify({ type: 'req', id, method, params }));
      });
    },
  };
}

export interface HttpResult {
  status: number;
  body: Record<string, unknown>;
}

/** One GET, optionally from a chosen loopback address and through a keep-alive agent. */
export function httpGet(port: number, path: string, opts: { headers?: Record<string, string>; localAddress?: string; agent?: Agent } = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: opts.headers, localAddress: opts.localAddress, agent: opts.agent, timeout: 5000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }));
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** A raw TCP connection to the gateway, for peers that misbehave below the WebSocket layer. */
export function rawConnect(port: number, localAddress = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, localAddress }, () => resolve(s));
    s.on('error', reject);
  });
}

/** Sends a WebSocket upgrade on a raw socket and resolves with the status line once headers are in. */
export function rawUpgrade(s: Socket, headers: Record<string, string> = {}): Promise<string> {
  const lines = ['GET / HTTP/1.1', 'Host: 127.0.0.1', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`, 'Sec-WebSocket-Version: 13'];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  s.write(`${lines.join('\r\n')}\r\n\r\n`);
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end >= 0) {
        s.off('data', onData);
        resolve(buf.slice(0, buf.indexOf('\r\n')));
      }
    };
    s.on('data', onData);
    s.once('close', () => reject(new Error(`closed before the upgrade answer: ${JSON.stringify(buf)}`)));
  });
}

/** One masked client text frame (RFC 6455 section 5.2). */
export function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const mask = randomBytes(4);
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x81, 0x80 | len]) : len < 65536 ? Buffer.from([0x81, 0x80 | 126, len >> 8, len & 0xff]) : undefined;
  if (!head) throw new Error('frame too long for this helper');
  const body = Buffer.alloc(len);
  for (let i = 0; i < len; i++) body[i] = payload[i]! ^ mask[i & 3]!;
  return Buffer.concat([head, mask, body]);
}

/** Resolves when the socket closes (either side). */
export function socketClosed(s: Socket): Promise<number> {
  return new Promise((resolve) => {
    if (s.destroyed) resolve(Date.now());
    else s.once('close', () => resolve(Date.now()));
  });
}

export { Agent };
