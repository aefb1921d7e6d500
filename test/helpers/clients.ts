/**
 * Loopback HTTP and WebSocket clients for e2e suites. `from` picks the client's source address:
 * 127.0.0.1 plays the trusted proxy, 127.0.0.2 an untrusted client.
 */
import { request } from 'node:http';
import WebSocket from 'ws';

export type Headers = Record<string, string | string[]>;

export interface HttpResult {
  status: number;
  body: any;
  headers: Record<string, string | string[] | undefined>;
}

export function httpGet(port: number, path: string, headers: Headers = {}, from = '127.0.0.1'): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, localAddress: from, agent: false, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode ?? 0, body, headers: res.headers });
      });
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

export type WsOutcome = { kind: 'hello'; payload: any; whoami: any } | { kind: 'closed'; code: number; reason: string } | { kind: 'error'; message: string };

/** Opens the gateway socket, sends connect, and asks whoami; or reports how it was closed. */
export function wsConnect(port: number, headers: Headers = {}, from = '127.0.0.1', timeoutMs = 10_000): Promise<WsOutcome> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { headers: headers as Record<string, string>, localAddress: from, handshakeTimeout: timeoutMs });
    let hello: any;
    let settled = false;
    const done = (o: WsOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(o);
      ws.terminate();
    };
    const timer = setTimeout(() => done({ kind: 'error', message: 'timed out' }), timeoutMs);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'req', id: '1', method: 'connect', params: { protocol: 1, client: { name: 'e2e', version: '1' } } })));
    ws.on('message', (data) => {
      const f = JSON.parse(data.toString());
      if (f.id === '1') {
        if (!f.ok) return; // the close that follows carries the reason
        hello = f.payload;
        ws.send(JSON.stringify({ type: 'req', id: '2', method: 'whoami' }));
      } else if (f.id === '2') {
        done({ kind: 'hello', payload: hello, whoami: f.payload });
      }
    });
    ws.on('close', (code, reason) => done({ kind: 'closed', code, reason: reason.toString() }));
    ws.on('error', (err) => done({ kind: 'error', message: err.message }));
  });
}
