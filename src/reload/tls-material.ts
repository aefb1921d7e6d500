/**
 * The files of gateway.tls, read and checked: the server certificate and key (HTTPS, WSS) and the
 * CA certificates that verify the proxy's client certificate. Read when the gateway starts and on
 * every reload, so a renewed certificate is put in force by SIGHUP; a file that cannot be used
 * refuses the start, or the reload (the material in force stays), naming the file and the fix.
 */
import { createHash, createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { ConfigError, type ConfigIssue } from '../config/errors.js';
import type { TlsConfig } from '../config/schema.js';

export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** The client CA certificates (PEM), when gateway.tls.clientCa is set. */
  readonly ca: Buffer | undefined;
  /** SHA-256 of the three files' contents: a reload that changed none of them keeps the context. */
  readonly fingerprint: string;
  /**
   * The SHA-256 fingerprints (colon-separated hex, as Node prints them) of the clientCa
   * certificates: a connection whose verified chain ended at a CA no longer here is refused.
   */
  readonly anchors: ReadonlySet<string>;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

function read(path: string, field: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    const fix = code === 'EACCES' ? `let the gateway's user read ${path} (and only that user, for a key)` : code === 'ENOENT' ? `check the path; ${field} must name the ${what} file` : `check ${path}`;
    throw new ConfigError([{ path: field, message: `cannot read ${path} (${code})`, fix }]);
  }
}

function certificates(pem: Buffer, path: string, field: string, fix: string): X509Certificate[] {
  const blocks = pem.toString('latin1').match(PEM_CERT) ?? [];
  if (!blocks.length) throw new ConfigError([{ path: field, message: `${path} holds no PEM certificate ("-----BEGIN CERTIFICATE-----")`, fix }]);
  return blocks.map((b, i) => {
    try {
      return new X509Certificate(b);
    } catch (err) {
      throw new ConfigError([{ path: field, message: `certificate ${i + 1} in ${path} cannot be read (${(err as Error).message})`, fix }]);
    }
  });
}

/** Reads and checks gateway.tls's files; throws ConfigError naming the file and the fix. */
export function loadTlsMaterial(tls: TlsConfig): TlsMaterial {
  const cert = read(tls.cert, 'gateway.tls.cert', 'server certificate (PEM)');
  const key = read(tls.key, 'gateway.tls.key', 'private key (PEM)');
  const ca = tls.clientCa === undefined ? undefined : read(tls.clientCa, 'gateway.tls.clientCa', 'client CA certificate (PEM)');
  const leaf = certificates(cert, tls.cert, 'gateway.tls.cert', 'give the server certificate in PEM, followed by any intermediate certificates')[0]!;
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch (err) {
    throw new ConfigError([{ path: 'gateway.tls.key', message: `${tls.key} is not a usable private key (${(err as Error).message})`, fix: 'give the private key in PEM, not encrypted with a passphrase (openssl pkey -in key.pem -out plain.pem)' }]);
  }
  if (!leaf.checkPrivateKey(privateKey)) {
    throw new ConfigError([{ path: 'gateway.tls.key', message: `${tls.key} is not the key of the certificate in ${tls.cert}`, fix: 'give the key and certificate that belong together (a renewal replaces both)' }]);
  }
  const anchors = new Set<string>();
  if (ca && tls.clientCa) {
    for (const c of certificates(ca, tls.clientCa, 'gateway.tls.clientCa', 'give the certificate(s) of the CA that issued the proxy\'s client certificate, in PEM')) anchors.add(c.fingerprint256);
  }
  try {
    createSecureContext({ cert, key, ca });
  } catch (err) {
    const issue: ConfigIssue = { path: 'gateway.tls', message: `the certificate, key and CA files cannot be used together (${(err as Error).message})`, fix: `check ${tls.cert}, ${tls.key}${tls.clientCa ? ` and ${tls.clientCa}` : ''}` };
    throw new ConfigError([issue]);
  }
  const fingerprint = createHash('sha256').update(cert).update('\0').update(key).update('\0').update(ca ?? '').digest('hex');
  return Object.freeze({ cert, key, ca, fingerprint, anchors });
}
