/**
 * The HTTP GET of the CLI's probes (`gateway status`, `security audit --deep`), over node:http and
 * node:https. Not fetch(): undici refuses the Fetch standard's "bad ports" (6000, 6665-6669, 10080
 * and others) before connecting, and a gateway may well listen on one of them.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface GetOptions {
  headers?: Record<string, string | string[]>;
  /** For the whole exchange, connect to last byte. */
  timeoutMs: number;
  /** Bodies larger than this are cut off (default 1 MiB): a probe reads small JSON answers. */
  maxBytes?: number;
}

export interface GetResult {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/** One GET; redirects are not followed. Rejects on a network error or the timeout. */
export function httpGet(url: string, opts: GetOptions): Promise<GetResult> {
  const u = new URL(url);
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  const maxBytes = opts.maxBytes ?? 1024 * 1024;
  return new Promise((resolve, reject) => {
    // agent: false, so no keep-alive socket holds the CLI open after the answer.
    const req = request(u, { method: 'GET', headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size >= maxBytes) return;
        chunks.push(c);
        size += c.length;
      });
      res.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)), opts.timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end();
  });
}
