/**
 * Whether a WebSocket upgrade is admitted, before any credential is looked at: the connection caps
 * (global and per client address), the Host check, the browser origin check, and who decides
 * next (the policy at the upgrade, or the `connect` frame). Pure: no socket, no clock, no log.
 */
import type { HostCheck } from '../../auth/host.js';
import { originAllowed } from '../../auth/origin.js';
import type { DecisionPoint } from '../../auth/policy.js';
import type { HeaderMap } from '../../auth/types.js';
import type { WsLimits } from '../../config/limits.js';
import type { AdmissionCode } from '../../protocol/reasons.js';
import type { AddressCount } from './address-caps.js';

export interface AdmissionInput {
  /** Upgraded sockets: sessions plus refusals still closing. */
  sockets: number;
  /** Open sessions, connected or not. */
  sessions: number;
  /** Sessions that have not completed `connect`. */
  pending: number;
  /** Upgrades waiting for a signed assertion (they count as sessions that have not connected). */
  verifying: number;
  /** What this client address holds; undefined when it is not counted (see clientKeyOf). */
  address: AddressCount | undefined;
  limits: WsLimits;
  /** The upgrade's headers (headersOf, WebSocket surface). */
  headers: HeaderMap;
  hosts: HostCheck;
  peerIsTrustedProxy: boolean;
  allowedOrigins: readonly string[];
  decidesAt: DecisionPoint;
}

export type Admission =
  /** Past every cap and the refusals still closing: destroy the socket without spending anything on it. */
  | { readonly kind: 'drop'; readonly reason: 'too_many_connections' | 'too_many_connections_per_address' }
  /** Complete the upgrade only to close it with this code. */
  | { readonly kind: 'refuse'; readonly reason: AdmissionCode }
  /** Admitted this far: the policy decides now, from the upgrade's headers. */
  | { readonly kind: 'decide' }
  /** Admitted this far: the session is decided on its `connect` frame. */
  | { readonly kind: 'open' };

export type AddressVerdict = 'drop' | 'too_many_connections_per_address' | 'too_many_unauthenticated_per_address' | undefined;

/**
 * Whether one more upgrade from an address holding `c` is refused: dropped without a reply once
 * its sockets (refusals still closing included) fill both per-address caps, else refused past
 * either cap. Mirrors the global checks in admit().
 */
export function checkAddress(c: AddressCount | undefined, limits: WsLimits): AddressVerdict {
  if (!c) return undefined;
  if (c.sockets + c.verifying >= limits.maxConnectionsPerAddress + limits.maxUnauthenticatedPerAddress) return 'drop';
  if (c.sessions + c.verifying >= limits.maxConnectionsPerAddress) return 'too_many_connections_per_address';
  if (c.pending + c.verifying >= limits.maxUnauthenticatedPerAddress) return 'too_many_unauthenticated_per_address';
  return undefined;
}

// The answers that carry nothing of the request: made once.
const DECIDE: Admission = Object.freeze({ kind: 'decide' });
const OPEN: Admission = Object.freeze({ kind: 'open' });
const refuse = (reason: AdmissionCode): Admission => ({ kind: 'refuse', reason });

/** The admission of one upgrade; the order of the checks is part of the contract (see the test). */
export function admit(i: AdmissionInput): Admission {
  const { limits } = i;
  const byAddress = checkAddress(i.address, limits);
  if (byAddress === 'drop') return { kind: 'drop', reason: 'too_many_connections_per_address' };
  if (i.sockets + i.verifying >= limits.maxConnections + limits.maxUnauthenticated) return { kind: 'drop', reason: 'too_many_connections' };
  // One address past its own caps is refused first, whatever room the others leave.
  if (byAddress) return refuse(byAddress);
  if (i.sessions + i.verifying >= limits.maxConnections) return refuse('too_many_connections');
  if (i.pending + i.verifying >= limits.maxUnauthenticated) return refuse('too_many_unauthenticated');
  if (!i.hosts.allows(i.headers['host'])) return refuse('host_not_allowed');
  if (!originAllowed({ headers: i.headers, peerIsTrustedProxy: i.peerIsTrustedProxy, allowedOrigins: i.allowedOrigins })) return refuse('origin_not_allowed');
  return i.decidesAt === 'upgrade' ? DECIDE : OPEN;
}
