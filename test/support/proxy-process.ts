/**
 * The part every real-proxy runner shares: render the recipe's template into a temp dir, start the
 * proxy as the test's own process, wait until it listens on 127.0.0.1, and stop it by PID.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startProcess, waitForListening } from './processes.js';
import { renderTemplateFiles } from './template.js';
import { makeTempDir, removeTempDir } from './tmp.js';

export interface ProxyLaunch {
  /** Short name for the temp dir and messages ("nginx"). */
  name: string;
  binary: string;
  /** The template file, and the name its rendering gets in the temp dir. */
  template: string;
  confName: string;
  /** Templates the main config includes, rendered next to it with the same values. */
  includes?: ReadonlyArray<{ template: string; name: string }>;
  /** Listen port; a free one when omitted. */
  port?: number;
  /** Template values; PREFIX (the temp dir) and LISTEN_PORT are added. */
  vars: Record<string, string | number>;
  args: (confPath: string, dir: string) => string[];
  /** Runs before the process starts (extra directories). */
  prepare?: (dir: string) => void;
  env?: (dir: string) => NodeJS.ProcessEnv;
  /** The proxy's log, relative to the temp dir; stderr when omitted. */
  logFile?: string;
}

export interface LaunchedProxy {
  readonly port: number;
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly pid: number;
  /** The rendered config (and its includes, one after the other), for messages. */
  readonly config: string;
  log(): string;
  stop(): Promise<void>;
}

export async function launchProxy(l: ProxyLaunch): Promise<LaunchedProxy> {
  const dir = makeTempDir(l.name);
  const port = l.port ?? (await freePort());
  const confPath = join(dir, l.confName);
  const files = [{ template: l.template, out: confPath }, ...(l.includes ?? []).map((i) => ({ template: i.template, out: join(dir, i.name) }))];
  const config = renderTemplateFiles(files, { PREFIX: dir, LISTEN_PORT: port, ...l.vars }).join('\n');
  l.prepare?.(dir);
  const proc = startProcess(l.binary, l.args(confPath, dir), { cwd: dir, env: l.env?.(dir), name: l.name });
  const log = (): string => {
    if (!l.logFile) return proc.stderr();
    try {
      return readFileSync(join(dir, l.logFile), 'utf8');
    } catch {
      return '';
    }
  };
  try {
    await waitForListening(proc, port);
  } catch (err) {
    await proc.stop();
    const text = log();
    removeTempDir(dir);
    throw new Error(`${(err as Error).message}\n--- ${l.name} log ---\n${text.slice(-4000)}`);
  }
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    pid: proc.pid,
    config,
    log,
    async stop() {
      await proc.stop();
      removeTempDir(dir);
    },
  };
}
