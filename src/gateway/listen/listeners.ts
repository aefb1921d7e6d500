/**
 * The gateway's listeners: HTTP (or, with gateway.tls, HTTPS) on the addresses of gateway.bind,
 * and plain HTTP on gateway.listen.unixSocket. Each accepted connection's transport fact is
 * recorded once (request.ts noteVia): the Unix socket, or TLS with the client certificate its
 * handshake verified; plain TCP is worked out from the peer on first use.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { IncomingMessage } from 'node:http';
import { bindPlan, urlHost } from '../../net/bind.js';
import { normalizeIp } from '../../net/ip.js';
import { VIA_UNIX } from '../../net/transport.js';
import type { Generation } from '../../reload/generation.js';
import { noteVia } from '../request.js';
import { asksForClientCert, clientCertOf, secureOptions } from './tls.js';
import { listenUnixSocket, type UnixSocket } from './unix-socket.js';

export interface ListenerOptions {
  /** Node's HTTP server options every listener gets. */
  http: { maxHeaderSize: number; requestTimeout: number; keepAliveTimeout: number; connectionsCheckingInterval: number };
  handler: RequestListener;
  onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /** Further setup of each server (header count, timeouts, clientError). */
  setup: (server: Server) => void;
}

export interface Listeners {
  readonly servers: readonly Server[];
  readonly urls: readonly string[];
  /** The TCP port (0 with bind "none"). */
  readonly port: number;
  readonly socket: UnixSocket | undefined;
  /** Puts a new generation's TLS files and client-certificate setting in force (new connections get them). */
  applyTls(next: Generation, previous: Generation): void;
  /** Removes the socket file (after the servers have closed). */
  removeSocket(): void;
}

function listenTcp(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', onError);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}

export async function openListeners(gen: Generation, opts: ListenerOptions): Promise<Listeners> {
  const g = gen.resolved.config.gateway;
  const tls = gen.tls;
  const servers: Server[] = [];
  const tlsServers: Server[] = [];
  const urls: string[] = [];
  const wire = (s: Server) => {
    opts.setup(s);
    s.on('upgrade', opts.onUpgrade);
    return s;
  };
  const makeTcp = (): Server => {
    if (!tls) return wire(createServer(opts.http, opts.handler));
    const s = createHttpsServer({ ...opts.http, ...secureOptions(tls), requestCert: asksForClientCert(gen.policy), rejectUnauthorized: false }, opts.handler);
    // Before Node's own listener, which starts reading requests.
    s.prependListener('secureConnection', (socket: TLSSocket) => noteVia(socket, { kind: 'tls', peer: normalizeIp(socket.remoteAddress ?? ''), cert: clientCertOf(socket) }));
    tlsServers.push(s);
    return wire(s as unknown as Server);
  };

  const plan = bindPlan(g.bind, g.customBindHost);
  const scheme = tls ? 'https' : 'http';
  let port = g.port;
  let socket: UnixSocket | undefined;
  try {
    for (const { host, required } of plan.hosts) {
      const s = makeTcp();
      try {
        port = await listenTcp(s, host, port);
        servers.push(s);
        urls.push(`${scheme}://${urlHost(host)}:${port}`);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (required && plan.fallback && (code === 'EAFNOSUPPORT' || code === 'EADDRNOTAVAIL')) {
          port = await listenTcp(s, plan.fallback, port);
          servers.push(s);
          urls.push(`${scheme}://${urlHost(plan.fallback)}:${port}`);
        } else if (required) {
          throw err;
        }
      }
    }
    if (g.listen.unixSocket) {
      const s = wire(createServer(opts.http, opts.handler));
      s.prependListener('connection', (c) => noteVia(c, VIA_UNIX));
      socket = await listenUnixSocket(s, g.listen.unixSocket);
      servers.push(s);
      urls.push(`unix:${socket.path}`);
    }
  } catch (err) {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    socket?.remove();
    throw err;
  }

  return {
    servers,
    urls,
    port: plan.hosts.length ? port : 0,
    socket,
    applyTls(next, previous) {
      const material = next.tls;
      if (!material) return;
      const ask = asksForClientCert(next.policy);
      for (const s of tlsServers) {
        const t = s as unknown as import('node:tls').Server & { requestCert: boolean };
        if (material.fingerprint !== previous.tls?.fingerprint) t.setSecureContext(secureOptions(material));
        // Read by Node for each new connection (setSecureContext leaves it alone).
        t.requestCert = ask;
      }
    },
    removeSocket() {
      socket?.remove();
    },
  };
}
