/**
 * One HTTP request over loopback, from a chosen source address: 127.0.0.1 plays the trusted
 * proxy, `localAddress: '127.0.0.2'` an untrusted client. Or over a Unix socket (`socketPath`), or
 * HTTPS (an https:// URL, with `tls` for the CA to trust and a client certificate to present).
 * Redirects are not followed; each request has a connection of its own unless an `agent` is given.
 */
import { request, type Agent, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { assertLoopback } from './processes.js';

export type Headers = Record<string, string | string[]>;

export interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON, or undefined. */
  json: any;
}

export interface HttpOptions {
  method?: string;
  /**
   * Array values are sent as separate header lines. A flat array is the rawHeaders form
   * (['Name', 'value', 'Name', 'value2']): names sent as spelled, in that order.
   */
  headers?: Headers | string[];
  /** Source address of the TCP connection (loopback only). */
  localAddress?: string;
  /** A keep-alive agent to reuse connections; by default every request opens its own. */
  agent?: Agent;
  body?: string;
  timeoutMs?: number;
  /** Connect to this Unix socket instead (the URL's host is then only the Host header). */
  socketPath?: string;
  /** For https:// URLs: the CA that issued the server's certificate, and a client certificate and key to present. */
  tls?: TlsClientOptions;
}

export interface TlsClientOptions {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  /** The name the server certificate must carry (default: the URL's host). */
  servername?: string;
}

/** The URL, refused unless it goes to a loopback host (or to a Unix socket, where its host is only the Host header). */
function checkUrl(url: string, socketPath: string | undefined): URL {
  const u = new URL(url);
  if (socketPath === undefined) assertLoopback(u.hostname.replace(/^\[|\]$/g, ''));
  return u;
}

export function httpRequest(url: string, opts: HttpOptions = {}): Promise<HttpResult> {
  const u = checkUrl(url, opts.socketPath);
  if (opts.localAddress) assertLoopback(opts.localAddress);
  const method = opts.method ?? 'GET';
  const send = u.protocol === 'https:' ? httpsRequest : request;
  const tls = u.protocol === 'https:' ? { ...opts.tls } : {};
  return new Promise((resolve, reject) => {
    const req = send(u, { method, headers: opts.headers as any, localAddress: opts.localAddress, agent: opts.agent ?? false, socketPath: opts.socketPath, ...tls }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.setTimeout(opts.timeoutMs ?? 10_000, () => req.destroy(new Error(`timed out: ${method} ${url}`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}
