/**
 * Runs real Apache httpd from examples/proxies/apache-oidc/httpd.conf.template as the test's own
 * process (`-DFOREGROUND`, its own ServerRoot in a temp dir, loopback only), stopped by PID.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { REPO_ROOT } from './paths.js';
import { findBinary, freePort, runToCompletion } from './processes.js';
import { launchProxy, type LaunchedProxy } from './proxy-process.js';
import { usedBy } from './template.js';

export const APACHE_RECIPE_DIR = join(REPO_ROOT, 'examples/proxies/apache-oidc');
export const APACHE_MODULES_DIR = '/usr/lib/apache2/modules';
export const OIDC_MODULE = join(APACHE_MODULES_DIR, 'mod_auth_openidc.so');

export interface ApacheOptions {
  /** The gateway's port, for the TCP httpd.conf; a variant's takes `gateway` instead. */
  gatewayPort?: number;
  /** The values of a variant's gateway placeholders (GATEWAY_SOCKET; GATEWAY_ADDRESS, PROXY_CERT_AND_KEY, ...). */
  gateway?: Record<string, string | number>;
  /** The template (default httpd.conf.template; the variants: httpd-unix.conf.template, httpd-mtls.conf.template). */
  file?: string;
  /** The port to listen on: chosen before the identity provider starts, which needs the redirect URI. */
  port?: number;
  oidc: { issuer: string; clientId: string; clientSecret: string };
  templateDir?: string;
  binary?: string;
}

export interface RunningApache extends LaunchedProxy {
  /** e.g. "Apache/2.4.71" */
  readonly version: string;
  /** The error log so far, for failure messages. */
  errorLog(): string;
}

/** "Apache/2.4.71", from `apache2 -v`. */
export async function apacheVersion(binary = findBinary('apache2') ?? 'apache2'): Promise<string> {
  const r = await runToCompletion(binary, ['-v']);
  const m = /Apache\/[\d.]+/.exec(r.stdout + r.stderr);
  if (!m) throw new Error(`could not read the Apache version from "${(r.stdout + r.stderr).trim()}"`);
  return m[0];
}

/** "2.4.12.3": mod_auth_openidc embeds its version string in the module file. */
export function modAuthOpenidcVersion(path = OIDC_MODULE): string {
  const m = /mod_auth_openidc-(\d+(?:\.\d+)+)/.exec(readFileSync(path).toString('latin1'));
  if (!m) throw new Error(`no version string found in ${path}`);
  return m[1]!;
}

/** The redirect URI Apache's config registers (the same path the template uses). */
export function apacheRedirectUri(port: number): string {
  return `http://127.0.0.1:${port}/oidc/callback`;
}

export async function startApache(opts: ApacheOptions): Promise<RunningApache> {
  const binary = opts.binary ?? findBinary('apache2');
  if (!binary) throw new Error('apache2 is not installed');
  const version = await apacheVersion(binary);
  const port = opts.port ?? (await freePort());
  const template = join(opts.templateDir ?? APACHE_RECIPE_DIR, opts.file ?? 'httpd.conf.template');
  const p = await launchProxy({
    name: 'apache2',
    binary,
    port,
    template,
    confName: 'httpd.conf',
    vars: {
      MODULES_DIR: APACHE_MODULES_DIR,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      ...(opts.gateway ? usedBy([template], opts.gateway) : { GATEWAY_PORT: opts.gatewayPort! }),
      OIDC_ISSUER: opts.oidc.issuer,
      OIDC_CLIENT_ID: opts.oidc.clientId,
      OIDC_CLIENT_SECRET: opts.oidc.clientSecret,
      CRYPTO_PASSPHRASE: randomBytes(24).toString('hex'),
    },
    prepare: (dir) => mkdirSync(join(dir, 'run')),
    args: (conf, dir) => ['-d', dir, '-f', conf, '-DFOREGROUND'],
    logFile: 'error.log',
  });
  return { ...p, version, errorLog: p.log };
}
