/**
 * `auth explain --client-cert FILE`: what the gateway's TLS handshake would learn of a client
 * certificate, worked out without a handshake (the file holds no key): its chain is checked against
 * gateway.tls.clientCa with Node's X509Certificate, as OpenSSL checks it for the gateway (issuer
 * and signature up to a self-signed CA in clientCa, validity times, clientAuth when the certificate
 * restricts its use). Name constraints and policy extensions are not checked; the gateway's own
 * answer is final.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { certNames } from '../net/cert-names.js';
import type { ClientCert } from '../net/transport.js';
import { ExplainInputError } from './input.js';

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_EXTENDED_USE = '2.5.29.37.0';
/** Longest chain walked (OpenSSL's default depth is 100; real chains have 2 or 3 links). */
const MAX_DEPTH = 10;

/** The certificates in PEM text, in order; throws when there is none or one does not parse. */
export function certificatesIn(pem: string, what: string): X509Certificate[] {
  const blocks = pem.match(PEM_CERT) ?? [];
  if (blocks.length === 0) throw new ExplainInputError(`${what} holds no PEM certificate ("-----BEGIN CERTIFICATE-----")`);
  return blocks.map((b, i) => {
    try {
      return new X509Certificate(b);
    } catch (err) {
      throw new ExplainInputError(`${what}: certificate ${i + 1} cannot be read (${(err as Error).message})`);
    }
  });
}

function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ExplainInputError(`${what} ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

function timeProblem(c: X509Certificate, now: Date): string | undefined {
  if (now < new Date(c.validFrom)) return 'CERT_NOT_YET_VALID';
  if (now > new Date(c.validTo)) return 'CERT_HAS_EXPIRED';
  return undefined;
}

const issues = (child: X509Certificate, parent: X509Certificate) => child.checkIssued(parent) && child.verify(parent.publicKey);
const selfIssued = (c: X509Certificate) => issues(c, c);

/**
 * The ClientCert fact for `leafAndChain` (the client's certificate, then any intermediates it
 * sends) against the CA certificates `cas`, at `now`.
 */
export function verifyClientChain(leafAndChain: readonly X509Certificate[], cas: readonly X509Certificate[], now: Date): ClientCert {
  const leaf = leafAndChain[0]!;
  const invalid = (why: string): ClientCert => ({ state: 'invalid', why });
  const eku = leaf.keyUsage;
  if (eku && eku.length && !eku.includes(CLIENT_AUTH) && !eku.includes(ANY_EXTENDED_USE)) return invalid('INVALID_PURPOSE');
  let cur = leaf;
  // Once the chain reaches a certificate in clientCa, it must go on inside clientCa to a self-signed one.
  let trusted = false;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const problem = timeProblem(cur, now);
    if (problem) return invalid(problem);
    if (trusted && selfIssued(cur)) return { state: 'valid', names: certNames(leaf.toLegacyObject()), anchor: cur.fingerprint256 };
    const fromCa = cas.find((ca) => issues(cur, ca));
    if (fromCa) {
      // The leaf itself may be in clientCa (a self-signed certificate trusted as is).
      if (!fromCa.ca && fromCa.fingerprint256 !== leaf.fingerprint256) return invalid('INVALID_CA');
      cur = fromCa;
      trusted = true;
      continue;
    }
    if (trusted) return invalid('UNABLE_TO_GET_ISSUER_CERT');
    if (cur === leaf && selfIssued(leaf)) return invalid('DEPTH_ZERO_SELF_SIGNED_CERT');
    const up = leafAndChain.find((c) => c !== cur && c.ca && issues(cur, c));
    if (!up) return invalid(selfIssued(cur) ? 'SELF_SIGNED_CERT_IN_CHAIN' : 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
    cur = up;
  }
  return invalid('CERT_CHAIN_TOO_LONG');
}

/** The fact for the certificate in `certFile`, against the CA file the config names (undefined: none is asked for). */
export function explainClientCert(certFile: string, clientCaFile: string | undefined, now: Date): ClientCert {
  const chain = certificatesIn(readPem(certFile, '--client-cert'), `--client-cert ${certFile}`);
  if (clientCaFile === undefined) return { state: 'none' };
  const cas = certificatesIn(readPem(clientCaFile, 'gateway.tls.clientCa'), `gateway.tls.clientCa ${clientCaFile}`);
  return verifyClientChain(chain, cas, now);
}
