/**
 * The TLS side of the TCP listeners: the server options from gateway.tls's files, whether client
 * certificates are asked for, and what a connection's handshake learned of the client's one.
 */
import type { ServerOptions } from 'node:https';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import type { AuthPolicy } from '../../auth/policy.js';
import { certNames } from '../../net/cert-names.js';
import type { ClientCert } from '../../net/transport.js';
import type { TlsMaterial } from '../../reload/tls-material.js';

/**
 * Whether the listeners ask TLS clients for a certificate: only when the policy reads one
 * (trusted-proxy mode with trustedProxy.clientCert). In token and password modes TLS only
 * encrypts, and browsers are spared a certificate prompt.
 */
export function asksForClientCert(policy: AuthPolicy): boolean {
  return policy.mode === 'trusted-proxy' && policy.clientCert !== undefined;
}

/**
 * The context options for `material`. A client certificate is verified against clientCa only, and
 * never refused during the handshake (rejectUnauthorized false): the decision refuses it with a
 * reason code the proxy's operator can look up, instead of a bare handshake failure.
 */
export function secureOptions(material: TlsMaterial): ServerOptions {
  return { cert: material.cert, key: material.key, ...(material.ca && { ca: material.ca }) };
}

const NONE: ClientCert = Object.freeze({ state: 'none' });
/** Longest chain walked to find its anchor (real chains have 2 or 3 links). */
const MAX_CHAIN = 16;

/** What the handshake of `socket` learned of the client's certificate; read once per connection. */
export function clientCertOf(socket: TLSSocket): ClientCert {
  const leaf = socket.getPeerCertificate(true) as PeerCertificate & { issuerCertificate?: PeerCertificate };
  if (!leaf || !leaf.raw) return NONE;
  if (!socket.authorized) return { state: 'invalid', why: String(socket.authorizationError ?? 'UNVERIFIED') };
  // The chain OpenSSL verified, up to the CA certificate of clientCa it ended at.
  let top = leaf;
  for (let i = 0; i < MAX_CHAIN && top.issuerCertificate && top.issuerCertificate !== top && top.issuerCertificate.fingerprint256 !== top.fingerprint256; i++) top = top.issuerCertificate;
  return { state: 'valid', names: certNames(leaf), anchor: top.fingerprint256 };
}
