/**
 * A transparent TCP relay between a proxy and the gateway that records the head of every request
 * it carries: the exact header lines the gateway receives, duplicates and spelling included. The
 * proxy suites put it on the proxy's upstream hop to prove that a header a client forged never
 * reaches the gateway. It can also add header lines to each request, standing in for a proxy that
 * forwards from an address the gateway does not trust.
 *
 * Request bodies are passed through by Content-Length; after a request with `Upgrade`, or one with
 * a chunked body, the rest of the connection is relayed without parsing (the suites send neither
 * a chunked body nor a request after an upgrade).
 *
 * The hop can be a Unix socket on either side (the recipes' socket variants), and TLS: the tap then
 * stands where the gateway is as the proxy sees it (it presents a certificate for the gateway's
 * name, requires the proxy's client certificate and records its names) and opens TLS to the
 * gateway with the proxy's own certificate.
 */
import { chmodSync, chownSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { connect as tlsConnect, createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { assertLoopback } from './processes.js';

export interface RecordedRequest {
  method: string;
  /** The request target, e.g. "/api/whoami?probe=3". */
  target: string;
  /** Every header line in arrival order, names as sent. */
  headers: Array<[string, string]>;
  /** Over TLS: the CN of the client certificate the proxy presented on this connection. */
  clientCert?: string;
}

export interface TapTls {
  /** What the tap presents to the proxy: a certificate for the name the proxy checks, and its key (PEM). */
  serverCert: string;
  serverKey: string;
  /** The CA the proxy's client certificate must chain to (the tap refuses a connection without one). */
  clientCa: string;
  /** What the tap presents to the gateway (the proxy's own certificate and key), and the CA of the gateway's. */
  clientCert: string;
  clientKey: string;
  gatewayCa: string;
}

export interface HeaderTapOptions {
  /** The gateway's port on 127.0.0.1, or (instead) its Unix socket. */
  upstreamPort?: number;
  upstreamSocket?: string;
  /** The address the tap connects to the gateway from (a trusted proxy's). Default 127.0.0.1. */
  localAddress?: string;
  /** Header lines added to every request head (after the proxy's own). */
  addHeaders?: Record<string, string>;
  /** Listen on this Unix socket, with this mode and group, instead of a loopback port. */
  listenSocket?: { path: string; mode: number; gid?: number };
  /** TLS on both hops (see the module comment). */
  tls?: TapTls;
}

export interface HeaderTap {
  /** The loopback port (0 when it listens on a socket). */
  readonly port: number;
  /** http(s)://127.0.0.1:<port>, or unix:<path>. */
  readonly url: string;
  /** Every request head seen so far. */
  seen(): RecordedRequest[];
  /** The heads whose target contains `text` (give each probe a unique query). */
  requestsFor(text: string): RecordedRequest[];
  stop(): Promise<void>;
}

const MAX_HEAD = 64 * 1024;

function parseHead(head: string): RecordedRequest | undefined {
  const lines = head.split('\r\n');
  const m = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(lines[0] ?? '');
  if (!m) return undefined;
  const headers: Array<[string, string]> = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
  }
  return { method: m[1]!, target: m[2]!, headers };
}

/** The values of a header in a recorded request, compared case-insensitively by name. */
export function headerValues(r: RecordedRequest, name: string): string[] {
  return r.headers.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
}

export async function startHeaderTap(opts: HeaderTapOptions): Promise<HeaderTap> {
  const localAddress = opts.localAddress ?? '127.0.0.1';
  assertLoopback(localAddress);
  const added = Object.entries(opts.addHeaders ?? {})
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  const seen: RecordedRequest[] = [];
  const sockets = new Set<Socket>();

  const tls = opts.tls;
  const relay = (client: Socket) => {
    const certName = tls ? ((client as TLSSocket).getPeerCertificate().subject?.CN as string | undefined) : undefined;
    const upstream = opts.upstreamSocket
      ? connect({ path: opts.upstreamSocket })
      : tls
        ? tlsConnect({ socket: connect({ host: '127.0.0.1', port: opts.upstreamPort!, localAddress }), cert: tls.clientCert, key: tls.clientKey, ca: tls.gatewayCa, servername: 'localhost' })
        : connect({ host: '127.0.0.1', port: opts.upstreamPort!, localAddress });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.pipe(client);

    let buffer = Buffer.alloc(0);
    let bodyLeft = 0;
    let raw = false;
    client.on('data', (chunk: Buffer) => {
      if (raw) return void upstream.write(chunk);
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (bodyLeft > 0) {
          const n = Math.min(bodyLeft, buffer.length);
          upstream.write(buffer.subarray(0, n));
          buffer = buffer.subarray(n);
          bodyLeft -= n;
          if (bodyLeft > 0) return;
        }
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) {
          if (buffer.length > MAX_HEAD) client.destroy();
          return;
        }
        const head = buffer.subarray(0, end).toString('latin1');
        buffer = buffer.subarray(end + 4);
        const r = parseHead(head);
        if (r) seen.push(certName === undefined ? r : { ...r, clientCert: certName });
        upstream.write(`${head}\r\n${added}\r\n`, 'latin1');
        const length = r ? Number(headerValues(r, 'content-length')[0] ?? 0) : 0;
        const chunked = r ? headerValues(r, 'transfer-encoding').length > 0 : false;
        if (!r || chunked || headerValues(r, 'upgrade').length > 0) {
          raw = true;
          if (buffer.length) upstream.write(buffer);
          buffer = Buffer.alloc(0);
          return;
        }
        bodyLeft = Number.isFinite(length) && length > 0 ? length : 0;
      }
    });
  };

  const server: Server = tls ? createTlsServer({ cert: tls.serverCert, key: tls.serverKey, ca: tls.clientCa, requestCert: true, rejectUnauthorized: true }, relay) : createServer(relay);
  const sock = opts.listenSocket;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (sock) server.listen({ path: sock.path }, () => resolve());
    else server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
  });
  if (sock) {
    if (sock.gid !== undefined) chownSync(sock.path, -1, sock.gid);
    chmodSync(sock.path, sock.mode);
  }
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    port,
    url: sock ? `unix:${sock.path}` : `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    seen: () => [...seen],
    requestsFor: (text) => seen.filter((r) => r.target.includes(text)),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
