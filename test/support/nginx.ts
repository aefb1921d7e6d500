/**
 * Runs real nginx from examples/proxies/nginx/nginx.conf.template as the test's own process:
 * config, pid, logs and temp files in a temp dir, listening on 127.0.0.1 only, stopped by PID.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './gateway.js';
import { findBinary, freePort, runToCompletion, startProcess, waitForListening } from './processes.js';
import { renderTemplateFile } from './template.js';
import { makeTempDir, removeTempDir } from './tmp.js';

export const NGINX_RECIPE_DIR = join(REPO_ROOT, 'examples/proxies/nginx');

export interface NginxOptions {
  gatewayPort: number;
  authPort: number;
  /** Directory holding nginx.conf.template; defaults to the shipped recipe. */
  templateDir?: string;
  /** Path of the nginx binary; defaults to the one on PATH or in /usr/sbin. */
  binary?: string;
}

export interface RunningNginx {
  readonly port: number;
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly pid: number;
  /** e.g. "nginx/1.22.1" */
  readonly version: string;
  /** The rendered config, for messages. */
  readonly config: string;
  /** nginx's error log so far (error.log in its temp dir), for failure messages. */
  errorLog(): string;
  stop(): Promise<void>;
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
  const dir = makeTempDir('nginx');
  const port = await freePort();
  const confPath = join(dir, 'nginx.conf');
  const config = renderTemplateFile(join(opts.templateDir ?? NGINX_RECIPE_DIR, 'nginx.conf.template'), confPath, {
    PREFIX: dir,
    LISTEN_PORT: port,
    AUTH_PORT: opts.authPort,
    GATEWAY_PORT: opts.gatewayPort,
  });
  // -e: the error log nginx writes before it has read the config (else /var/log/nginx).
  const proc = startProcess(binary, ['-p', `${dir}/`, '-e', join(dir, 'error.log'), '-c', confPath, '-g', 'daemon off;'], { cwd: dir, name: 'nginx' });
  try {
    await waitForListening(proc, port);
  } catch (err) {
    await proc.stop();
    removeTempDir(dir);
    throw err;
  }
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    pid: proc.pid,
    version,
    config,
    errorLog: () => {
      try {
        return readFileSync(join(dir, 'error.log'), 'utf8');
      } catch {
        return '';
      }
    },
    async stop() {
      await proc.stop();
      removeTempDir(dir);
    },
  };
}
