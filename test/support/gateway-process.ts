/**
 * Runs the real CLI (`node bin/mayros.js gateway run`) as a child process, as an operator would,
 * and learns its URL from the "listening" line. Tracked and stopped by PID (processes.ts).
 */
import { writeConfig } from './config-file.js';
import { cleanEnv } from './env.js';
import { BIN } from './paths.js';
import { startProcess, type ExitInfo, type ManagedProcess } from './processes.js';
import { makeTempDir, removeTempDir } from './tmp.js';

export interface GatewayProcessOptions {
  /** A config object, written as mayros.json in the process's temp dir and passed with --config. */
  config?: object;
  /** Arguments after `gateway run` (and after --config <file>). Default: --port 0. */
  args?: string[];
  /**
   * Variables on top of cleanEnv(); MAYROS_STATE_DIR is the process's temp dir unless given here.
   */
  env?: NodeJS.ProcessEnv;
  /** Inherit only PATH from the runner (cleanEnv's `minimal`). */
  minimalEnv?: boolean;
}

export interface GatewayProcess {
  /** e.g. http://127.0.0.1:41234 (https:// with gateway.tls, unix:/path with bind "none"), from the listening line. */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** The process's own temp dir (its cwd; the config file and, by default, the state dir). */
  readonly dir: string;
  /** The config file, when `config` was given. */
  readonly file: string | undefined;
  stdout(): string;
  stderr(): string;
  /** Settles when the process has exited. */
  readonly exited: Promise<ExitInfo>;
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /**
   * SIGTERM by PID, then waits for the exit (SIGKILL after 5 s); removes the temp dir. Throws
   * unless the gateway exited with code 0: a gateway that cannot shut down cleanly fails the suite
   * that stops it. Once the process has exited, resolves with how it exited.
   */
  stop(): Promise<ExitInfo>;
}

const LISTENING = /mayros gateway listening on ((?:https?:\/\/|unix:)\S+) /;

/** Starts the gateway (on a free loopback port by default) and waits for its listening line. */
export async function startGatewayProcess(opts: GatewayProcessOptions = {}): Promise<GatewayProcess> {
  const dir = makeTempDir('gateway');
  const file = opts.config ? writeConfig(dir, JSON.stringify(opts.config, null, 2)) : undefined;
  const args = [BIN, 'gateway', 'run', ...(file ? ['--config', file] : []), ...(opts.args ?? ['--port', '0'])];
  let proc: ManagedProcess | undefined;
  try {
    proc = startProcess(process.execPath, args, {
      cwd: dir,
      env: cleanEnv({ MAYROS_STATE_DIR: dir, ...opts.env }, { minimal: opts.minimalEnv }),
      name: 'mayros gateway',
    });
    const m = await proc.waitForOutput(LISTENING, 15_000);
    const p = proc;
    const url = m[1]!;
    return {
      url,
      port: url.startsWith('unix:') ? 0 : Number(new URL(url).port),
      pid: p.pid,
      dir,
      file,
      stdout: p.stdout,
      stderr: p.stderr,
      exited: p.exited,
      waitForOutput: p.waitForOutput,
      async stop() {
        const info = await p.stop();
        removeTempDir(dir);
        if (info.code !== 0) throw new Error(`gateway exited with ${info.code ?? info.signal} on SIGTERM\n${p.stderr().slice(-4000)}`);
        return info;
      },
    };
  } catch (err) {
    await proc?.stop();
    removeTempDir(dir);
    throw err;
  }
}
