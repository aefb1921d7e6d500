/**
 * How a request reached the gateway, as plain data: the transport fact the auth decision's source
 * step reads (src/auth/source.ts). The adapters work it out once per connection, from the listener
 * it arrived on and, over TLS, from the client certificate the handshake verified.
 */

/** The names a client certificate carries that may identify a proxy (src/net/cert-names.ts). */
export interface CertNames {
  /** The subject's common names (usually one). */
  readonly cn: readonly string[];
  /** subjectAltName DNS names, as written in the certificate. */
  readonly dns: readonly string[];
  /** subjectAltName URIs (a SPIFFE ID, for example). */
  readonly uri: readonly string[];
}

/** What the TLS handshake learned of the client's certificate. */
export type ClientCert =
  /** None was presented (or none was asked for). */
  | { readonly state: 'none' }
  /** One was presented and did not verify against gateway.tls.clientCa; `why` is OpenSSL's code (CERT_HAS_EXPIRED, ...). */
  | { readonly state: 'invalid'; readonly why: string }
  /**
   * One was presented and verified. `anchor` identifies the CA certificate its chain ended at
   * (SHA-256 fingerprint), so a connection verified before that CA was removed can be told apart.
   */
  | { readonly state: 'valid'; readonly names: CertNames; readonly anchor: string };

export type Via =
  /** The gateway's Unix socket: whoever could open the file, which its permissions restrict to the proxy. */
  | { readonly kind: 'unix' }
  /** Plain TCP from `peer` (normalised: IPv4-mapped IPv6 unwrapped). */
  | { readonly kind: 'tcp'; readonly peer: string }
  /** TLS over TCP from `peer`, with the client certificate it presented. */
  | { readonly kind: 'tls'; readonly peer: string; readonly cert: ClientCert };

/** Every request on the Unix socket has the same fact. */
export const VIA_UNIX: Via = Object.freeze({ kind: 'unix' });

/** What logs, the failure limiter and the per-address caps show for a request on the Unix socket: it has no address. */
export const UNIX_PEER = 'unix';

/** Plain TCP from `peer`. */
export function viaTcp(peer: string): Via {
  return { kind: 'tcp', peer };
}

/** The address a request came from, or UNIX_PEER. */
export function peerLabel(via: Via): string {
  return via.kind === 'unix' ? UNIX_PEER : via.peer;
}
