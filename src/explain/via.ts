/**
 * How the described request of `auth explain` reaches the gateway: on its Unix socket (`--unix`),
 * or over TCP from `--from`, with TLS when the config serves it and then with the client
 * certificate of `--client-cert`. Returns the transport fact the decision reads and notes on
 * what the config makes of it.
 */
import type { ResolvedConfig } from '../config/load.js';
import { parseIp } from '../net/ip.js';
import { VIA_UNIX, type ClientCert, type Via } from '../net/transport.js';
import { explainClientCert } from './client-cert.js';
import { ExplainInputError } from './input.js';
import type { ExplainRequest, ExplainStep } from './types.js';

export interface ExplainedVia {
  via: Via;
  /** For the request line: "unix socket /run/...", or the peer address. */
  from: string;
  notes: ExplainStep[];
}

const note = (detail: string): ExplainStep => ({ step: 'transport', result: 'note', detail });

export function explainVia(resolved: ResolvedConfig, req: ExplainRequest, now = new Date()): ExplainedVia {
  const g = resolved.config.gateway;
  if (req.unix) {
    if (req.from !== undefined || req.clientCert !== undefined) throw new ExplainInputError('--unix describes a request on the gateway\'s Unix socket, which has no peer address and no TLS: leave out --from and --client-cert');
    const path = g.listen.unixSocket?.path;
    const notes = path ? [] : [note('gateway.listen.unixSocket is not set: this gateway has no Unix socket, so no request can arrive on one (explained as if it had)')];
    return { via: VIA_UNIX, from: `the Unix socket ${path ?? '(none configured)'}`, notes };
  }
  if (req.from === undefined) throw new ExplainInputError('give --from <ip> (the address the request reaches the gateway from), or --unix for a request on the gateway\'s Unix socket');
  const ip = parseIp(req.from);
  if (!ip) throw new ExplainInputError(`--from "${req.from}" is not an IP address; give the address the request reaches the gateway from, e.g. --from 127.0.0.1`);
  const notes: ExplainStep[] = [];
  if (g.bind === 'none') notes.push(note('gateway.bind is "none": the gateway has no TCP listener, so no request can arrive from an address (explained as if it had one)'));
  if (!g.tls) {
    if (req.clientCert !== undefined) notes.push(note('gateway.tls is not set: the gateway speaks plain HTTP, so the client certificate never reaches it'));
    return { via: { kind: 'tcp', peer: ip.text }, from: ip.text, notes };
  }
  let cert: ClientCert = { state: 'none' };
  if (req.clientCert !== undefined) {
    cert = explainClientCert(req.clientCert, g.tls.clientCa, now);
    if (!g.tls.clientCa) notes.push(note('gateway.tls.clientCa is not set: the gateway asks for no client certificate, so this one is not seen'));
  }
  return { via: { kind: 'tls', peer: ip.text, cert }, from: ip.text, notes };
}
