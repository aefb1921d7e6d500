/**
 * A WebSocket upgrade written byte for byte: header lines in the exact order given (repeats and
 * filler lines included), then a `connect` frame once upgraded. For cases a WebSocket library
 * cannot send (a header twice with other lines between, raw non-ASCII bytes). Loopback only.
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';

export interface RawWsResult {
  /** The status line, e.g. "HTTP/1.1 101 Switching Protocols"; '' when closed before any answer. */
  status: string;
  /** The connect reply frame, when the session was admitted far enough to answer it. */
  reply?: any;
  /** The close frame the gateway sent. */
  close?: { code: number; reason: string };
}

/** One masked client text frame (RFC 6455 section 5.2). */
function maskedText(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const mask = randomBytes(4);
  const len = payload.length;
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
 * Upgrades with `lines` (name/value pairs, sent in order after the fixed upgrade lines; `host`
 * replaces the default Host), sends `connect`, and resolves with the answer: the connect reply,
 * or the close frame, or just the status line when the upgrade was refused.
 */
export function rawWsAttempt(port: number, lines: ReadonlyArray<readonly [string, string]>, opts: { from?: string; host?: string; timeoutMs?: number } = {}): Promise<RawWsResult> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port, localAddress: opts.from ?? '127.0.0.1' });
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
        sock.write(maskedText(JSON.stringify({ type: 'req', id: 'connect-1', method: 'connect', params: { protocol: 1, client: { name: 'raw', version: '1' } } })));
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
    const head = ['GET / HTTP/1.1', `Host: ${opts.host ?? `127.0.0.1:${port}`}`, 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`, 'Sec-WebSocket-Version: 13'];
    // latin1: every char of a line is one byte on the wire, so a test can send any byte it wants.
    sock.write(Buffer.from(`${[...head, ...lines.map(([k, v]) => `${k}: ${v}`)].join('\r\n')}\r\n\r\n`, 'latin1'));
  });
}

/** The raw bytes of `text` in UTF-8, as a string of one char per byte (how Node hands them over). */
export function utf8Wire(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

export interface RawHttpResult {
  status: number;
  /** The body parsed as JSON, when it is JSON. */
  json?: any;
}

/**
 * GET `path` with `lines` sent in order, byte for byte (latin1: one byte per char), `Connection:
 * close`, and resolves with the status and the JSON body.
 */
export function rawHttpGet(port: number, path: string, lines: ReadonlyArray<readonly [string, string]>, opts: { from?: string; host?: string; timeoutMs?: number } = {}): Promise<RawHttpResult> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port, localAddress: opts.from ?? '127.0.0.1' });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error('raw request timed out'));
    }, opts.timeoutMs ?? 5000);
    sock.on('data', (d: Buffer) => chunks.push(d));
    sock.on('error', () => undefined);
    sock.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      const body = text.slice(text.indexOf('\r\n\r\n') + 4);
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      resolve({ status: m ? Number(m[1]) : 0, json });
    });
    const head = [`GET ${path} HTTP/1.1`, `Host: ${opts.host ?? `127.0.0.1:${port}`}`, 'Connection: close'];
    sock.write(Buffer.from(`${[...head, ...lines.map(([k, v]) => `${k}: ${v}`)].join('\r\n')}\r\n\r\n`, 'latin1'));
  });
}
