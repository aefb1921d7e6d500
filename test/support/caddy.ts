/**
 * Runs real Caddy from examples/proxies/caddy/Caddyfile.template as the test's own process:
 * admin API off, data and HOME in a temp dir, listening on 127.0.0.1 only, stopped by PID.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';
import { findBinary, runToCompletion } from './processes.js';
import { launchProxy, type LaunchedProxy } from './proxy-process.js';
import { usedBy } from './template.js';

export const CADDY_RECIPE_DIR = join(REPO_ROOT, 'examples/proxies/caddy');

export interface CaddyOptions {
  /** The gateway's port, for the TCP Caddyfile; a variant's takes `gateway` instead. */
  gatewayPort?: number;
  /** The values of a variant Caddyfile's gateway placeholders (GATEWAY_SOCKET; GATEWAY_ADDRESS, PROXY_CERT, ...). */
  gateway?: Record<string, string | number>;
  authPort: number;
  /** Directory holding the Caddyfile template; defaults to the shipped recipe. */
  templateDir?: string;
  /** The template (default Caddyfile.template; the variants: Caddyfile-unix.template, Caddyfile-mtls.template). */
  file?: string;
  binary?: string;
}

export interface RunningCaddy extends LaunchedProxy {
  /** e.g. "2.6.2" */
  readonly version: string;
}

/** "2.6.2", from `caddy version` (Debian prints "2.6.2", upstream builds "v2.6.2 h1:..."). */
export async function caddyVersion(binary = findBinary('caddy') ?? 'caddy'): Promise<string> {
  const r = await runToCompletion(binary, ['version']);
  const m = /^v?(\d+\.\d+\.\d+[\w.+-]*)/.exec(r.stdout.trim());
  if (!m) throw new Error(`could not read the Caddy version from "${(r.stdout + r.stderr).trim()}"`);
  return m[1]!;
}

export async function startCaddy(opts: CaddyOptions): Promise<RunningCaddy> {
  const binary = opts.binary ?? findBinary('caddy');
  if (!binary) throw new Error('caddy is not installed');
  const version = await caddyVersion(binary);
  const template = join(opts.templateDir ?? CADDY_RECIPE_DIR, opts.file ?? 'Caddyfile.template');
  const p = await launchProxy({
    name: 'caddy',
    binary,
    template,
    confName: 'Caddyfile',
    vars: { AUTH_PORT: opts.authPort, ...(opts.gateway ? usedBy([template], opts.gateway) : { GATEWAY_PORT: opts.gatewayPort! }) },
    args: (conf) => ['run', '--config', conf, '--adapter', 'caddyfile'],
    // Caddy keeps state under HOME/XDG dirs; point them into the temp dir so nothing leaks out.
    prepare: (dir) => ['home', 'xdg-data', 'xdg-config'].forEach((d) => mkdirSync(join(dir, d))),
    env: (dir) => ({ PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: join(dir, 'home'), XDG_DATA_HOME: join(dir, 'xdg-data'), XDG_CONFIG_HOME: join(dir, 'xdg-config') }),
  });
  return { ...p, version };
}
