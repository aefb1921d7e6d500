/**
 * Per-address WebSocket caps: which client address an upgrade counts under, and how many sockets
 * each address holds (admission.ts refuses an upgrade past `gateway.limits.maxConnectionsPerAddress`
 * or `maxUnauthenticatedPerAddress`, so one address cannot take every slot the global caps allow).
 *
 * The address is the client the failure limiter would count (clientIpOf): the TCP peer, or the
 * rightmost untrusted X-Forwarded-For hop when the peer is a trusted proxy (the proxy on the Unix
 * socket included). Behind a proxy every socket comes from the proxy, so keying on the peer would
 * make a per-address cap a cap on everyone behind it.
 */
import type { AuthPolicy } from '../../auth/policy.js';
import type { HeaderMap } from '../../auth/types.js';
import { fromTrustedProxy } from '../../auth/source.js';
import { peerLabel, type Via } from '../../net/transport.js';
import { clientIpOf } from '../request.js';

/** What one address holds. Sessions include those still waiting for `connect` (pending). */
export interface AddressCount {
  /** Upgraded sockets: sessions plus refusals still closing. */
  sockets: number;
  sessions: number;
  /** Sessions that have not completed `connect`. */
  pending: number;
  /** Upgrades waiting for a signed assertion to be verified. */
  verifying: number;
}

/**
 * The address an upgrade is counted under, or undefined when it resolves to a trusted proxy itself
 * (a trusted proxy that names no client in X-Forwarded-For, the proxy on the Unix socket or one
 * proven by its client certificate included): such sockets are everyone behind that proxy, so only
 * the global caps apply to them. `headers` from headersOf (WS surface).
 */
export function clientKeyOf(headers: HeaderMap, via: Via, policy: AuthPolicy): string | undefined {
  const client = clientIpOf(headers, via, policy);
  if (client === peerLabel(via) && fromTrustedProxy(via, policy)) return undefined;
  return policy.trustedProxies.has(client) ? undefined : client;
}

/** The counts per address; an address holding nothing has no entry (memory follows open sockets). */
export class AddressCounts {
  private readonly map = new Map<string, AddressCount>();

  get(key: string | undefined): AddressCount | undefined {
    return key === undefined ? undefined : this.map.get(key);
  }

  /** Adds `delta` to one count of `key` (no-op for an uncounted socket, key undefined). */
  add(key: string | undefined, field: keyof AddressCount, delta: 1 | -1): void {
    if (key === undefined) return;
    let c = this.map.get(key);
    if (!c) {
      if (delta < 0) return;
      c = { sockets: 0, sessions: 0, pending: 0, verifying: 0 };
      this.map.set(key, c);
    }
    c[field] += delta;
    if (c.sockets <= 0 && c.sessions <= 0 && c.pending <= 0 && c.verifying <= 0) this.map.delete(key);
  }

  /** Addresses holding something. */
  get size(): number {
    return this.map.size;
  }
}
