/**
 * Runs real nginx from examples/proxies/nginx (nginx.conf.template, which includes the site in
 * mayros-site.conf.template) as the test's own process: config, pid, logs and temp files in a temp
 * dir, listening on 127.0.0.1 only, stopped by PID.
 */
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';
import { findBinary, runToCompletion } from './processes.js';
import { launchProxy, type LaunchedProxy } from './proxy-process.js';
import { usedBy } from './template.js';

export const NGINX_RECIPE_DIR = join(REPO_ROOT, 'examples/proxies/nginx');

export interface NginxOptions {
  /** The gateway's port, for the TCP site; a variant's site takes `gateway` instead. */
  gatewayPort?: number;
  /** The values of a variant site's gateway placeholders (GATEWAY_SOCKET; GATEWAY_ADDRESS, PROXY_CERT, ...). */
  gateway?: Record<string, string | number>;
  authPort: number;
  /** Directory holding nginx.conf.template and the site template; defaults to the shipped recipe. */
  templateDir?: string;
  /** The site template (default mayros-site.conf.template; the variants: mayros-site-unix.conf.template, ...). */
  site?: string;
  /** Path of the nginx binary; defaults to the one on PATH or in /usr/sbin. */
  binary?: string;
}

export interface RunningNginx extends LaunchedProxy {
  /** e.g. "nginx/1.22.1" */
  readonly version: string;
  /** The error log so far, for failure messages. */
  errorLog(): string;
}

/** "nginx/1.22.1", from `nginx -v` (which prints to stderr). */
export async function nginxVersion(binary = findBinary('nginx') ?? 'nginx'): Promise<string> {
  const r = await runToCompletion(binary, ['-v']);
  const m = /nginx\/[\w.]+/.exec(r.stderr + r.stdout);
  if (!m) throw new Error(`could not read the nginx version from "${(r.stderr + r.stdout).trim()}"`);
  return m[0];
}

export async function startNginx(opts: NginxOptions): Promise<RunningNginx> {
  const binary = opts.binary ?? findBinary('nginx');
  if (!binary) throw new Error('nginx is not installed');
  const version = await nginxVersion(binary);
  const site = join(opts.templateDir ?? NGINX_RECIPE_DIR, opts.site ?? 'mayros-site.conf.template');
  const p = await launchProxy({
    name: 'nginx',
    binary,
    template: join(opts.templateDir ?? NGINX_RECIPE_DIR, 'nginx.conf.template'),
    confName: 'nginx.conf',
    includes: [{ template: site, name: 'mayros-site.conf' }],
    vars: { AUTH_PORT: opts.authPort, ...(opts.gateway ? usedBy([site], opts.gateway) : { GATEWAY_PORT: opts.gatewayPort! }) },
    // -e: the error log nginx writes before it has read the config (else /var/log/nginx).
    args: (conf, dir) => ['-p', `${dir}/`, '-e', join(dir, 'error.log'), '-c', conf, '-g', 'daemon off;'],
    logFile: 'error.log',
  });
  return { ...p, version, errorLog: p.log };
}
