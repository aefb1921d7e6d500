/**
 * `host:port` listen addresses (`gateway.metrics.listen`): an IP literal (IPv6 in brackets) and a
 * port. Pure; names are refused so the address the audit judges is the one listened on.
 */
import { isLoopbackIp, parseIp } from './ip.js';

export interface ListenAddress {
  /** Canonical IP text, without brackets. */
  readonly host: string;
  readonly port: number;
  readonly loopback: boolean;
}

/** The address, or a sentence saying what is wrong with it. */
export function parseListenAddress(text: string): ListenAddress | { error: string } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  if (!m) return { error: 'must be "host:port" with an IP address, e.g. "127.0.0.1:9464" or "[::1]:9464"' };
  const hostText = m[1] ?? m[2]!;
  const ip = parseIp(hostText);
  if (!ip || (m[2] !== undefined && ip.family === 6)) return { error: `"${hostText}" is not an IP address (IPv6 goes in brackets, "[::1]:9464"); names are not accepted` };
  const port = Number(m[3]);
  if (port > 65535) return { error: `port ${port} is out of range (0-65535; 0 picks a free port)` };
  return { host: ip.text, port, loopback: isLoopbackIp(ip.text) };
}

/** The address as a URL host part: brackets around IPv6. */
export function listenUrl(a: { host: string; port: number }): string {
  return `http://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;
}
