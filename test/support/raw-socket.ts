/**
 * Requests and WebSocket upgrades written byte for byte on a raw TCP socket, for what an HTTP or
 * WebSocket library cannot send (a header twice with other lines between, raw non-ASCII bytes,
 * half a request) and for peers that misbehave below the WebSocket layer. Header lines are written
 * as latin1: every char of a line is one byte on the wire. Loopback only.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { assertLoopback } from './processes.js';

export type Line = readonly [string, string];

export interface RawOptions {
  /** Source address (loopback only); default 127.0.0.1. */
  localAddress?: string;
  /** Replaces the default Host (127.0.0.1:<port>). */
  host?: string;
  timeoutMs?: number;
}

/** A TCP connection to the gateway on 127.0.0.1. */
export function rawConnect(port: number, localAddress = '127.0.0.1'): Promise<Socket> {
  assertLoopback(localAddress);
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, localAddress }, () => resolve(s));
    s.on('error', reject);
  });
}

/** Resolves when the socket closes (either side), with the time it did. */
export function socketClosed(s: Socket): Promise<number> {
  return new Promise((resolve) => {
    if (s.destroyed) resolve(Date.now());
    else s.once('close', () => resolve(Date.now()));
  });
}

/** The head of a WebSocket upgrade for `/`: the fixed lines, then `lines` in order. */
export function upgradeHead(host: string, lines: ReadonlyArray<Line> = []): Buffer {
  const head = ['GET / HTTP/1.1', `Host: ${host}`, 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`, 'Sec-WebSocket-Version: 13'];
  return Buffer.from(`${[...head, ...lines.map(([k, v]) => `${k}: ${v}`)].join('\r\n')}\r\n\r\n`, 'latin1');
}

/** One masked client text frame (RFC 6455 section 5.2), for payloads under 64 KiB. */
export function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const mask = randomBytes(4);
  const len = payload.length;
  if (len >= 65536) throw new Error('frame too long for this helper');
  const head = len < 126 ? Buffer.from([0x81, 0x80 | len]) : Buffer.from([0x81, 0x80 | 126, len >> 8, len & 0xff]);
  const body = Buffer.alloc(len);
  for (let i = 0; i < len; i++) body[i] = payload[i]! ^ mask[i & 3]!;
  return Buffer.concat([head, mask, body]);
}

/** Server frames (unmasked) at the start of `buf`, and how many bytes they used. */
function parseFrames(buf: Buffer): { frames: Array<{ opcode: number; payload: Buffer }>; used: number } {
  const frames: Array<{ opcode: number; payload: Buffer }> = [];
  let at = 0;
  for (;;) {
    if (buf.length - at < 2) break;
    const opcode = buf[at]! & 0x0f;
    let len = buf[at + 1]! & 0x7f;
    let head = 2;
    if (len === 126) {
      if (buf.length - at < 4) break;
      len = buf.readUInt16BE(at + 2);
      head = 4;
    } else if (len === 127) {
      if (buf.length - at < 10) break;
      len = Number(buf.readBigUInt64BE(at + 2));
      head = 10;
    }
    if (buf.length - at < head + len) break;
    frames.push({ opcode, payload: buf.subarray(at + head, at + head + len) });
    at += head + len;
  }
  return { frames, used: at };
}

/**
 * Sends a WebSocket upgrade (`headers` after the fixed lines) on `s` and resolves with the status
 * line once the answer's headers are in; rejects if the socket closes first.
 */
export function rawUpgrade(s: Socket, headers: Record<string, string> = {}): Promise<string> {
  s.write(upgradeHead(`127.0.0.1:${s.remotePort}`, Object.entries(headers)));
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

export interface RawWsResult {
  /** The status line, e.g. "HTTP/1.1 101 Switching Protocols"; '' when closed before any answer. */
  status: string;
  /** The connect reply frame, when the session was admitted far enough to answer it. */
  reply?: any;
  /** The close frame the gateway sent. */
  close?: { code: number; reason: string };
}

/**
 * Upgrades with `lines` (name/value pairs, sent in order after the fixed upgrade lines), sends
 * `connect`, and resolves with the answer: the connect reply, or the close frame, or just the
 * status line when the upgrade was refused.
 */
export function rawWsAttempt(port: number, lines: ReadonlyArray<Line>, opts: RawOptions = {}): Promise<RawWsResult> {
  const localAddress = opts.localAddress ?? '127.0.0.1';
  assertLoopback(localAddress);
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port, localAddress });
    const result: RawWsResult = { status: '' };
    let buf = Buffer.alloc(0);
    let upgraded = false;
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`raw upgrade timed out; so far: ${JSON.stringify(result)}`));
    }, opts.timeoutMs ?? 5000);
    const finish = () => {
      clearTimeout(timer);
      sock.destroy();
      resolve(result);
    };
    sock.on('error', () => finish());
    sock.on('close', () => finish());
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        result.status = head.slice(0, head.indexOf('\r\n') >= 0 ? head.indexOf('\r\n') : head.length);
        buf = buf.subarray(end + 4);
        if (!result.status.startsWith('HTTP/1.1 101')) return finish();
        upgraded = true;
        sock.write(maskedTextFrame(JSON.stringify({ type: 'req', id: 'connect-1', method: 'connect', params: { protocol: 1, client: { name: 'raw', version: '1' } } })));
      }
      const { frames, used } = parseFrames(buf);
      buf = buf.subarray(used);
      for (const f of frames) {
        if (f.opcode === 0x8) {
          result.close = { code: f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005, reason: f.payload.subarray(2).toString('utf8') };
          return finish();
        }
        if (f.opcode === 0x1) {
          const frame = JSON.parse(f.payload.toString('utf8'));
          if (frame.id === 'connect-1') {
            result.reply = frame;
            // An admitted session: nothing more to wait for.
            if (frame.ok) return finish();
          }
        }
      }
    });
    sock.write(upgradeHead(opts.host ?? `127.0.0.1:${port}`, lines));
  });
}

/** The raw bytes of `text` in UTF-8, as a string of one char per byte (how Node hands them over). */
export function utf8Wire(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/**
 * Writes `data` exactly as given (a string as latin1: one byte per char) and resolves with
 * everything the server wrote (decoded as UTF-8) until the connection closed.
 */
export function rawRequest(port: number, data: string | Buffer, opts: Omit<RawOptions, 'host'> = {}): Promise<string> {
  const localAddress = opts.localAddress ?? '127.0.0.1';
  assertLoopback(localAddress);
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port, localAddress });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error('raw request timed out'));
    }, opts.timeoutMs ?? 5000);
    sock.on('data', (d: Buffer) => chunks.push(d));
    // A reset after the answer still ends the exchange: 'close' follows.
    sock.on('error', () => undefined);
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    sock.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  });
}

export interface RawHttpResult {
  status: number;
  /** The body parsed as JSON, when it is JSON. */
  json?: any;
}

/**
 * GET `path` with `lines` sent in order, byte for byte, and `Connection: close`; resolves with
 * the status and the JSON body.
 */
export async function rawHttpGet(port: number, path: string, lines: ReadonlyArray<Line>, opts: RawOptions = {}): Promise<RawHttpResult> {
  const head = [`GET ${path} HTTP/1.1`, `Host: ${opts.host ?? `127.0.0.1:${port}`}`, 'Connection: close', ...lines.map(([k, v]) => `${k}: ${v}`)];
  const text = await rawRequest(port, `${head.join('\r\n')}\r\n\r\n`, opts);
  const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
  let json: unknown;
  try {
    json = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));
  } catch {
    json = undefined;
  }
  return { status: m ? Number(m[1]) : 0, json };
}
