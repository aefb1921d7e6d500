/**
 * HTTP load generator for figure 1, in its own process so it does not share a core's event loop
 * with the server it measures. Runs autocannon on request from bench/run.js.
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { percentileOfSorted } from '../lib/stats.js';
import { serve } from '../lib/worker.js';

/** Most requests one run may send, whatever its duration (a bound on the loop, never reached in practice). */
const MAX_REQUESTS_PER_SECOND = 200_000;

/** Most response times one run keeps for its percentiles (8 MB); a run past it keeps the first ones. */
const MAX_KEPT_LATENCIES = 1_000_000;

/**
 * `socketPath`: send to this Unix socket (the URL then names the path and Host only). `tls`: PEM
 * files of the client certificate and key to present (the proxy's), for an https URL.
 * @param {{ url: string, headers: Record<string, string>, connections: number, durationSec: number, socketPath?: string, tls?: { cert: string, key: string } }} opts
 */
function run({ url, headers, connections, durationSec, socketPath, tls }) {
  return new Promise((resolve, reject) => {
    // autocannon's own percentiles are whole milliseconds, too coarse for a p99 near 5 ms (one
    // step is 20%); each response's time is kept here at full resolution instead, up to a bound.
    const times = new Float64Array(MAX_KEPT_LATENCIES);
    let kept = 0;
    const instance = autocannon(
      {
        url,
        headers,
        connections,
        pipelining: 1,
        duration: durationSec,
        maxOverallRequests: Math.max(connections, Math.ceil(MAX_REQUESTS_PER_SECOND * durationSec)),
        timeout: 10,
        ...(socketPath && { socketPath }),
        ...(tls && { tlsOptions: { cert: readFileSync(tls.cert), key: readFileSync(tls.key) } }),
      },
      (err, r) => {
        if (err) return reject(err);
        const sample = times.subarray(0, kept).sort();
        resolve({
          rps: r.requests.total / r.duration,
          requests: r.requests.total,
          durationSec: r.duration,
          ok2xx: r['2xx'],
          non2xx: r.non2xx,
          errors: r.errors,
          timeouts: r.timeouts,
          latencyMs: { mean: r.latency.mean, p50: percentileOfSorted(sample, 50), p90: percentileOfSorted(sample, 90), p99: percentileOfSorted(sample, 99), max: r.latency.max, samples: kept },
          autocannonLatencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99 },
        });
      },
    );
    instance.on('response', (_client, status, _bytes, responseTimeMs) => {
      if (status >= 200 && status < 300 && kept < times.length) times[kept++] = responseTimeMs;
    });
  });
}

serve({ run });
