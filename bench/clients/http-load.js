/**
 * HTTP load generator for figure 1, in its own process so it does not share a core's event loop
 * with the server it measures. Runs autocannon on request from bench/run.js.
 */
import autocannon from 'autocannon';
import { serve } from '../lib/worker.js';

/** Most requests one run may send, whatever its duration (a bound on the loop, never reached in practice). */
const MAX_REQUESTS_PER_SECOND = 200_000;

/**
 * @param {{ url: string, headers: Record<string, string>, connections: number, durationSec: number }} opts
 */
function run({ url, headers, connections, durationSec }) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        headers,
        connections,
        pipelining: 1,
        duration: durationSec,
        maxOverallRequests: Math.max(connections, Math.ceil(MAX_REQUESTS_PER_SECOND * durationSec)),
        timeout: 10,
      },
      (err, r) => {
        if (err) return reject(err);
        resolve({
          rps: r.requests.total / r.duration,
          requests: r.requests.total,
          durationSec: r.duration,
          ok2xx: r['2xx'],
          non2xx: r.non2xx,
          errors: r.errors,
          timeouts: r.timeouts,
          latencyMs: { mean: r.latency.mean, p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
        });
      },
    );
  });
}

serve({ run });
