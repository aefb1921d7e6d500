/**
 * The first step of the trusted-proxy decision: did the request come from the proxy? Read from the
 * transport fact (src/net/transport.ts), never from a header:
 * - on the gateway's Unix socket: yes, by construction (the socket file's permissions let only the
 *   proxy connect);
 * - over TCP: the peer address must be in gateway.trustedProxies (when the list is not empty, or no
 *   client certificate is configured);
 * - and, with gateway.auth.trustedProxy.clientCert, over TLS only with a client certificate that
 *   verified against gateway.tls.clientCa and carries an allowed name.
 * Pure; no allocation on the admitted path unless a trace is asked for.
 */
import type { CertNames, Via } from '../net/transport.js';
import { describeCertNames } from '../net/cert-names.js';
import { parseIp } from '../net/ip.js';
import type { AuthPolicy, ClientCertPolicy, TrustedProxyPolicy } from './policy.js';
import type { AuthFailure } from './reasons.js';
import type { TraceStep } from './types.js';

const UNTRUSTED: AuthFailure = Object.freeze({ reason: 'trusted_proxy_untrusted_source' });
const CERT_MISSING: AuthFailure = Object.freeze({ reason: 'trusted_proxy_client_cert_missing' });

/**
 * The allowed name a certificate carries: its CN or a URI equal to an entry, or a DNS name equal
 * to one regardless of case; undefined when none is. Email and IP subjectAltNames never count.
 */
export function allowedCertName(names: CertNames, allowed: ClientCertPolicy): string | undefined {
  for (const cn of names.cn) if (allowed.names.has(cn)) return `CN=${cn}`;
  for (const dns of names.dns) if (allowed.dnsNames.has(dns.toLowerCase())) return `DNS:${dns}`;
  for (const uri of names.uri) if (allowed.names.has(uri)) return `URI:${uri}`;
  return undefined;
}

const shown = (peer: string) => parseIp(peer)?.text ?? peer;

/** Why the request is not from the proxy, or undefined when it is; records the steps in `trace`. */
export function sourceFailure(via: Via, policy: TrustedProxyPolicy, trace?: TraceStep[]): AuthFailure | undefined {
  if (via.kind === 'unix') {
    trace?.push({ step: 'source', ok: true, detail: 'arrived on the gateway\'s Unix socket (gateway.listen.unixSocket): only processes its file permissions admit can connect, so it is the proxy\'s' });
    return undefined;
  }
  const cert = policy.clientCert;
  // 1. The address, unless the certificate alone is to prove the proxy (an empty list with clientCert).
  if (cert && policy.trustedProxies.size === 0) {
    trace?.push({ step: 'source', ok: true, detail: `peer ${shown(via.peer)}: gateway.trustedProxies is empty, so any address may connect and the client certificate decides` });
  } else {
    const entry = policy.trustedProxies.lookup(via.peer);
    if (!entry) {
      trace?.push({ step: 'source', ok: false, detail: `peer ${shown(via.peer)} matches no gateway.trustedProxies entry` });
      return UNTRUSTED;
    }
    trace?.push({ step: 'source', ok: true, detail: `peer ${shown(via.peer)} matches trustedProxies entry "${entry.source}"`, entry: entry.source });
  }
  if (!cert) return undefined;

  // 2. The client certificate.
  if (via.kind === 'tcp' || via.cert.state === 'none') {
    trace?.push({ step: 'client-cert', ok: false, detail: via.kind === 'tcp' ? 'plain TCP, no TLS: no client certificate can be presented' : 'no client certificate was presented' });
    return CERT_MISSING;
  }
  const c = via.cert;
  if (c.state === 'invalid') {
    trace?.push({ step: 'client-cert', ok: false, detail: `the client certificate does not verify against gateway.tls.clientCa (${c.why})` });
    return { reason: 'trusted_proxy_client_cert_invalid', why: c.why };
  }
  const match = allowedCertName(c.names, cert);
  if (match === undefined) {
    const presented = describeCertNames(c.names);
    trace?.push({ step: 'client-cert', ok: false, detail: `the client certificate verifies, but none of its names (${presented}) is in clientCert.allowedNames` });
    return { reason: 'trusted_proxy_client_cert_not_allowed', presented };
  }
  trace?.push({ step: 'client-cert', ok: true, detail: `the client certificate verifies against gateway.tls.clientCa and its ${match} is in clientCert.allowedNames` });
  return undefined;
}

/**
 * Whether the request came from a proxy the gateway trusts, for everything that believes a proxy's
 * forwarding headers (the client address behind it, the browser's scheme and host, the /healthz
 * verdict): in trusted-proxy mode exactly when the decision's source step passes; in the other
 * modes on the Unix socket, or from an address in gateway.trustedProxies.
 */
export function fromTrustedProxy(via: Via, policy: AuthPolicy): boolean {
  if (via.kind === 'unix') return true;
  if (policy.mode === 'trusted-proxy') return sourceFailure(via, policy) === undefined;
  return policy.trustedProxies.has(via.peer);
}
