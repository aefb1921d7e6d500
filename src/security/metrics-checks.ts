/**
 * The metrics listener: `GET /metrics` answers anyone who can reach it, without signing in (a
 * scraper cannot sign in through the proxy). What it tells (counts per refusal reason, open
 * sessions, the version) is no secret, but it shows who is being refused and how often, and the
 * version invites a targeted attack: keep it on loopback, or behind a firewall that admits only
 * the scraper.
 */
import type { Config } from '../config/schema.js';
import { parseListenAddress } from '../net/listen-address.js';
import { finding, type Finding } from './findings.js';

export function checkMetricsExposed(config: Config): Finding[] {
  const m = config.gateway.metrics;
  if (!m.enabled) return [];
  const at = parseListenAddress(m.listen);
  if ('error' in at || at.loopback) return [];
  const any = at.host === '0.0.0.0' || at.host === '::';
  return [
    finding(
      'gateway.metrics_exposed',
      'warn',
      'The metrics endpoint listens beyond loopback',
      `gateway.metrics.listen is "${m.listen}"${any ? ', every address of this host' : ''}: GET /metrics answers whoever reaches it, without signing in. It reports refusals by reason code, open sessions and the gateway's version.`,
      'Set gateway.metrics.listen to "127.0.0.1:9464" and scrape from this host (or through an SSH tunnel or a local agent); if the scraper must connect over the network, admit only its address with a firewall rule on that port. Restart the gateway after the change.',
    ),
  ];
}
