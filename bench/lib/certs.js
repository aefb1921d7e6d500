/**
 * Certificates for the mutual-TLS figure, made with the openssl CLI when the figure runs (never
 * committed keys): a CA for the gateway's server certificate, a CA for the proxy's client
 * certificate, and one certificate from each (the client one named "mayros-proxy").
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** @param {string[]} args @param {string} cwd */
function openssl(args, cwd) {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** @param {string} dir @param {string} name @param {string} cn */
function ca(dir, name, cn) {
  openssl(['req', '-x509', ...EC, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${cn}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign'], dir);
}

/** @param {string} dir @param {string} issuer @param {string} name @param {string} cn @param {string} ext */
function leaf(dir, issuer, name, cn, ext) {
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(['req', '-new', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`], dir);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.crt`, '-CAkey', `${issuer}.key`, '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.crt`], dir);
}

/**
 * Makes the certificates in `dir`; returns their paths.
 * @param {string} dir
 */
export function makeBenchCertificates(dir) {
  ca(dir, 'server-ca', 'Bench Gateway CA');
  ca(dir, 'proxy-ca', 'Bench Proxy CA');
  leaf(dir, 'server-ca', 'server', 'localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  leaf(dir, 'proxy-ca', 'proxy', 'mayros-proxy', 'extendedKeyUsage=clientAuth\n');
  const p = (/** @type {string} */ n) => join(dir, n);
  return { serverCert: p('server.crt'), serverKey: p('server.key'), clientCa: p('proxy-ca.crt'), proxyCert: p('proxy.crt'), proxyKey: p('proxy.key'), serverCa: p('server-ca.crt') };
}
