/**
 * A minimal identity-aware reverse proxy for browser tests that need several signed-in users
 * without a real proxy binary: it maps the cookie `mayros_test_session=<sid>` to a user,
 * overwrites the identity header (dropping whatever the client sent), and forwards HTTP and
 * WebSocket upgrades to the gateway. Requests without a known session get 401.
 * The nginx suite proves the real thing; this one only stands in for it.
 */
import { createServer, request, type IncomingMessage, type OutgoingHttpHeaders, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export interface IdentityProxy {
  readonly port: number;
  /** http://127.0.0.1:<port> */
  readonly url: string;
  stop(): Promise<void>;
}

export interface IdentityProxyOptions {
  gatewayPort: number;
  /** Session id -> user. */
  users: Record<string, string>;
  userHeader?: string;
}

function sessionUser(req: IncomingMessage, users: Record<string, string>): string | undefined {
  const cookie = req.headers.cookie ?? '';
  const m = /(?:^|;\s*)mayros_test_session=([^;]+)/.exec(cookie);
  return m && Object.hasOwn(users, m[1]!) ? users[m[1]!] : undefined;
}

function forwardHeaders(req: IncomingMessage, userHeader: string, user: string): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = { ...req.headers };
  delete headers[userHeader];
  headers[userHeader] = user;
  headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
  headers['x-forwarded-proto'] = 'http';
  headers['x-forwarded-host'] = req.headers.host ?? '';
  return headers;
}

export async function startIdentityProxy(opts: IdentityProxyOptions): Promise<IdentityProxy> {
  const userHeader = (opts.userHeader ?? 'x-forwarded-user').toLowerCase();
  const sockets = new Set<Socket | Duplex>();

  const server: Server = createServer((req, res) => {
    const user = sessionUser(req, opts.users);
    if (!user) {
      res.writeHead(401, { 'content-type': 'text/plain' }).end('not signed in\n');
      return;
    }
    const up = request(
      { host: '127.0.0.1', port: opts.gatewayPort, method: req.method, path: req.url, headers: forwardHeaders(req, userHeader, user) },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });

  server.on('upgrade', (req: IncomingMessage, client: Duplex, head: Buffer) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    const user = sessionUser(req, opts.users);
    if (!user) {
      client.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const upstream = connect(opts.gatewayPort, '127.0.0.1', () => {
      const headers = forwardHeaders(req, userHeader, user);
      let head1 = `${req.method} ${req.url} HTTP/1.1\r\n`;
      for (const [k, v] of Object.entries(headers)) {
        for (const one of Array.isArray(v) ? v : [v]) if (one !== undefined) head1 += `${k}: ${one}\r\n`;
      }
      upstream.write(head1 + '\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
