/**
 * A loopback JWKS server for tests: serves a key set the test can change, counts requests, and
 * can misbehave on demand (error status, hang, reset, oversize, redirect). Stopped by the test.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type JwksMode = 'ok' | 'slow' | 'error' | 'hang' | 'reset' | 'huge' | 'redirect' | 'not-json';

export interface JwksServer {
  readonly url: string;
  readonly port: number;
  /** Requests received so far. */
  hits: number;
  jwks: unknown;
  mode: JwksMode;
  /** Stops listening (connections refused) until start() again on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startJwksServer(jwks: unknown, path = '/.well-known/jwks.json'): Promise<JwksServer> {
  let server: Server;
  const state = {
    hits: 0,
    jwks,
    mode: 'ok' as JwksMode,
  };
  const make = () =>
    createServer((req, res) => {
      state.hits++;
      if (req.url !== path) {
        res.writeHead(404).end();
        return;
      }
      switch (state.mode) {
        case 'error':
          res.writeHead(503).end('unavailable');
          return;
        case 'slow':
          setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(state.jwks)), 400);
          return;
        case 'hang':
          return; // never answers; the client's timeout must end it
        case 'reset':
          req.socket.destroy();
          return;
        case 'huge':
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [], pad: 'x'.repeat(300 * 1024) }));
          return;
        case 'redirect':
          res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' }).end();
          return;
        case 'not-json':
          res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>');
          return;
        default:
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(state.jwks));
      }
    });
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const next = make();
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => {
        server = next;
        resolve((next.address() as AddressInfo).port);
      });
    });
  const port = await listen(0);
  const close = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}${path}`,
    port,
    stop: close,
    start: async () => {
      if (!server.listening) await listen(port);
    },
  }) as JwksServer;
}
