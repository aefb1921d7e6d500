/**
 * Runs the built CLI (`node bin/mayros.js`, which runs dist/) to completion as a child process.
 * The gateway as a long-running process is gateway-process.ts.
 */
import { spawn } from 'node:child_process';
import { BIN, REPO_ROOT } from './paths.js';

export interface CliResult {
  /** The exit code; null when the process was killed (by the timeout). */
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `mayros <args>` with exactly `env` (build it with cleanEnv), stdio piped so stdout is not a
 * terminal, in the repository root; kills it after `timeoutMs`.
 */
export function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 20_000): Promise<CliResult> {
  return runCommand(process.execPath, [BIN, ...args], env, timeoutMs);
}

/** Runs any command the same way (e.g. `script`, to give the CLI a terminal). */
export function runCommand(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 20_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
