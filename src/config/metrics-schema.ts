/**
 * The `gateway.metrics` config section: the Prometheus endpoint, off by default, on a listener of
 * its own (never the gateway port: a scraper cannot sign in through the proxy). See
 * docs/configuration.md#gatewaymetrics.
 */
import { z } from 'zod';
import { parseListenAddress } from '../net/listen-address.js';

export const DEFAULT_METRICS_LISTEN = '127.0.0.1:9464';

export const metricsSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** `host:port` with an IP address; loopback by default (the audit warns about any other). */
    listen: z
      .string()
      .default(DEFAULT_METRICS_LISTEN)
      .superRefine((v, ctx) => {
        const a = parseListenAddress(v);
        if ('error' in a) ctx.addIssue({ code: 'custom', message: a.error });
      }),
  })
  .strict();

export type MetricsConfig = z.output<typeof metricsSchema>;
