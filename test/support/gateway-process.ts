/**
 * Runs the real CLI (`node bin/mayros.js gateway run`) as a child process with a config written
 * to a temp dir, as an operator would, and learns its port from the "listening" line.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcess, type ManagedProcess } from './processes.js';
import { makeTempDir, removeTempDir } from './tmp.js';

/** The repository root (test/support/../..). */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface GatewayProcessOptions {
  /** The config object, written as mayros.json. */
  config: object;
  /** Extra environment for the gateway (added to a minimal one, never to the caller's MAYROS_*). */
  env?: Record<string, string>;
}

export interface GatewayProcess {
  readonly port: number;
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly pid: number;
  readonly dir: string;
  stdout(): string;
  stderr(): string;
  /** SIGTERM by PID; throws unless the gateway exits cleanly (code 0). */
  stop(): Promise<void>;
}

/** The environment of a child: the caller's, minus every MAYROS_* variable (they would leak in). */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('MAYROS_')) env[k] = v;
  return { ...env, ...extra };
}

/** Starts the gateway on a free loopback port (`--port 0`) and waits for its listening line. */
export async function startGatewayProcess(opts: GatewayProcessOptions): Promise<GatewayProcess> {
  const dir = makeTempDir('gateway');
  const file = join(dir, 'mayros.json');
  writeFileSync(file, JSON.stringify(opts.config, null, 2));
  let proc: ManagedProcess | undefined;
  try {
    proc = startProcess(process.execPath, [join(REPO_ROOT, 'bin/mayros.js'), 'gateway', 'run', '--config', file, '--port', '0'], {
      cwd: dir,
      env: cleanEnv({ ...opts.env, MAYROS_STATE_DIR: dir }),
      name: 'mayros gateway',
    });
    const m = await proc.waitForOutput(/mayros gateway listening on (http:\/\/127\.0\.0\.1:(\d+))/, 15_000);
    const p = proc;
    return {
      port: Number(m[2]),
      url: m[1]!,
      pid: p.pid,
      dir,
      stdout: p.stdout,
      stderr: p.stderr,
      async stop() {
        const info = await p.stop();
        removeTempDir(dir);
        if (info.code !== 0) throw new Error(`gateway exited with ${info.code ?? info.signal} on SIGTERM\n${p.stderr().slice(-4000)}`);
      },
    };
  } catch (err) {
    await proc?.stop();
    removeTempDir(dir);
    throw err;
  }
}
