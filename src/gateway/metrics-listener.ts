/**
 * The Prometheus endpoint's own listener (`gateway.metrics.listen`): `GET /metrics` and nothing
 * else. It never shares the gateway's port: a scraper cannot sign in through the proxy, and the
 * gateway port's every request is authenticated. What it serves (counts, reason codes, the
 * version) holds no secret and no name; exposure beyond loopback is the audit's
 * `gateway.metrics_exposed`.
 */
import { createServer, type Server } from 'node:http';
import type { ListenAddress } from '../net/listen-address.js';
import { listenUrl } from '../net/listen-address.js';
import type { PromMetrics } from '../metrics/prometheus.js';
import type { Logger } from './log.js';
import { sendRefusal } from './http/refusal.js';

export interface MetricsListener {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

export function startMetricsListener(metrics: PromMetrics, at: ListenAddress, logger: Logger): Promise<MetricsListener> {
  const server = createServer({ requestTimeout: 10_000, headersTimeout: 10_000, keepAliveTimeout: 5_000 }, (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    // Refusals from the reason table, as on the gateway port.
    if (path !== '/metrics') return sendRefusal(res, { reason: 'not_found' });
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendRefusal(res, { reason: 'method_not_allowed' });
    metrics.scrape().then(
      ({ contentType, body }) => {
        res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (err: unknown) => {
        logger.error({ event: 'metrics_failed', error: err instanceof Error ? err.message : String(err) }, 'could not collect metrics');
        sendRefusal(res, { reason: 'internal' });
      },
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: at.host, port: at.port, exclusive: true }, () => {
      server.off('error', reject);
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : at.port;
      const url = `${listenUrl({ host: at.host, port })}/metrics`;
      logger.info({ event: 'metrics_listening', url }, 'Prometheus metrics listening');
      resolve({
        url,
        server,
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r());
            server.closeAllConnections();
          }),
      });
    });
  });
}
