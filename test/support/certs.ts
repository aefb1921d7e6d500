/**
 * Certificates made at test time with the openssl CLI (never committed keys): a CA, and server or
 * client certificates it issues, with chosen names, extended key usage and validity. Each lives in
 * the directory given, as PEM files. `requireBinary('openssl')` makes a suite that needs it fail
 * under CI=true when it is missing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findBinary } from './processes.js';

export interface CertFiles {
  /** PEM certificate file (the leaf, then any chain given to `issue`). */
  cert: string;
  /** PEM private key file (EC P-256, not encrypted). */
  key: string;
  certPem: string;
  keyPem: string;
}

export interface CertRequest {
  cn: string;
  dns?: string[];
  uri?: string[];
  email?: string[];
  ip?: string[];
  /** extendedKeyUsage: clientAuth, serverAuth, both, or none at all (unrestricted). Default client. */
  usage?: 'client' | 'server' | 'both' | 'unrestricted';
  /** A CA certificate (an intermediate); default false. */
  ca?: boolean;
  /** Validity as openssl dates (YYYYMMDDHHMMSSZ); default from an hour ago for two days. */
  startDate?: string;
  endDate?: string;
}

export interface TestCa extends CertFiles {
  /** Issues a certificate signed by this CA, written as `<name>.crt` / `<name>.key` in the CA's directory. */
  issue(name: string, req: CertRequest): CertFiles;
  /** Issues an intermediate CA signed by this one. */
  intermediate(name: string, cn: string): TestCa;
}

function openssl(args: string[], cwd: string): void {
  const bin = findBinary('openssl');
  if (!bin) throw new Error('openssl is not installed');
  execFileSync(bin, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
}

const stamp = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';

function files(dir: string, name: string): CertFiles {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  return { cert, key, certPem: readFileSync(cert, 'utf8'), keyPem: readFileSync(key, 'utf8') };
}

function extensions(req: CertRequest): string {
  const san = [
    ...(req.dns ?? []).map((d) => `DNS:${d}`),
    ...(req.uri ?? []).map((u) => `URI:${u}`),
    ...(req.email ?? []).map((e) => `email:${e}`),
    ...(req.ip ?? []).map((i) => `IP:${i}`),
  ];
  const eku = { client: 'clientAuth', server: 'serverAuth', both: 'serverAuth,clientAuth', unrestricted: '' }[req.usage ?? 'client'];
  return [
    '[v3]',
    req.ca ? 'basicConstraints = critical,CA:TRUE' : 'basicConstraints = CA:FALSE',
    req.ca ? 'keyUsage = critical,keyCertSign,cRLSign' : 'keyUsage = critical,digitalSignature',
    ...(eku && !req.ca ? [`extendedKeyUsage = ${eku}`] : []),
    ...(san.length ? [`subjectAltName = ${san.join(',')}`] : []),
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid',
    '',
  ].join('\n');
}

function caOf(dir: string, name: string, chain: string[]): TestCa {
  const own = files(dir, name);
  const ca: TestCa = {
    ...own,
    issue(leaf, req) {
      const ext = join(dir, `${leaf}.ext`);
      writeFileSync(ext, extensions(req));
      openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${leaf}.key`, '-out', `${leaf}.csr`, '-subj', `/CN=${req.cn}`], dir);
      // `openssl ca` takes any start and end date (x509 -req only a number of days from now).
      const db = join(dir, `${name}.index`);
      if (!existsSync(db)) writeFileSync(db, '');
      const newCerts = join(dir, `${name}.issued`);
      mkdirSync(newCerts, { recursive: true });
      writeFileSync(join(dir, `${name}.cnf`), [
        '[ca]', 'default_ca = this_ca', '[this_ca]', `database = ${db}`, `new_certs_dir = ${newCerts}`, `serial = ${join(dir, `${name}.serial`)}`,
        'default_md = sha256', 'policy = any', 'unique_subject = no', 'email_in_dn = no',
        '[any]', 'commonName = supplied', '',
      ].join('\n'));
      const start = req.startDate ?? stamp(new Date(Date.now() - 3600_000));
      const end = req.endDate ?? stamp(new Date(Date.now() + 2 * 86400_000));
      openssl([
        'ca', '-batch', '-notext', '-config', `${name}.cnf`, '-cert', `${name}.crt`, '-keyfile', `${name}.key`, '-in', `${leaf}.csr`, '-out', `${leaf}.crt`,
        '-startdate', start, '-enddate', end, '-rand_serial', '-extfile', ext, '-extensions', 'v3',
      ], dir);
      if (chain.length || name !== 'ca') writeFileSync(join(dir, `${leaf}.crt`), readFileSync(join(dir, `${leaf}.crt`), 'utf8') + (name !== 'ca' ? own.certPem : '') + chain.join(''));
      return files(dir, leaf);
    },
    intermediate(sub, cn) {
      ca.issue(sub, { cn, ca: true });
      return caOf(dir, sub, name === 'ca' ? [] : [own.certPem, ...chain]);
    },
  };
  return ca;
}

/** A self-signed CA in `dir` (ca.crt, ca.key). */
export function makeCa(dir: string, cn = 'Mayros Test Proxy CA'): TestCa {
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '3', '-subj', `/CN=${cn}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  return caOf(dir, 'ca', []);
}
