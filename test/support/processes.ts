/**
 * Child processes for real-socket suites: free loopback ports, waiting for a port, and processes
 * tracked by PID and stopped by PID. Nothing here kills by name.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer, connect } from 'node:net';
import { delimiter, join } from 'node:path';

/** Asks the kernel for a free TCP port on `host` (loopback only) and releases it. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  assertLoopback(host);
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen({ host, port: 0, exclusive: true }, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

/** Resolves once a TCP connection to host:port succeeds; rejects after `timeoutMs`. */
export async function waitForPort(port: number, host = '127.0.0.1', timeoutMs = 10_000): Promise<void> {
  assertLoopback(host);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host, port });
      const done = (v: boolean) => {
        s.destroy();
        resolve(v);
      };
      s.setTimeout(500, () => done(false));
      s.once('connect', () => done(true));
      s.once('error', () => done(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listening on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Throws unless `host` is a 127.0.0.0/8 or ::1 literal: suites never reach past loopback. */
export function assertLoopback(host: string): void {
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) && host !== '::1') {
    throw new Error(`refusing non-loopback address "${host}" in a test`);
  }
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A process started by a test. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  /** Everything written to stdout so far (the last 256 KiB). */
  stdout(): string;
  /** Everything written to stderr so far (the last 256 KiB). */
  stderr(): string;
  /** Settles when the process has exited. */
  readonly exited: Promise<ExitInfo>;
  /** Undefined while running. */
  exitInfo(): ExitInfo | undefined;
  /** Resolves with the first stdout/stderr match of `pattern`; rejects on exit or timeout. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** SIGTERM by PID, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<ExitInfo>;
}

export interface StartOptions {
  cwd?: string;
  /** The whole environment of the child (not merged with process.env). */
  env?: NodeJS.ProcessEnv;
  /** For messages. */
  name?: string;
}

const MAX_CAPTURE = 256 * 1024;
/** How long a process that exited may take to deliver the rest of its output. */
const PIPE_DRAIN_MS = 1000;

/** PIDs started here and not yet exited; killed if the test process exits without stopping them. */
const live = new Set<number>();
process.once('exit', () => {
  for (const pid of live) signal(pid, 'SIGKILL');
});

/** Spawns a process with piped output, tracking it by PID. */
export function startProcess(cmd: string, args: readonly string[], opts: StartOptions = {}): ManagedProcess {
  const name = opts.name ?? cmd;
  const child: ChildProcess = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let info: ExitInfo | undefined;
  const watchers = new Set<() => void>();
  const notify = () => watchers.forEach((w) => w());
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out = (out + d).slice(-MAX_CAPTURE);
    notify();
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    err = (err + d).slice(-MAX_CAPTURE);
    notify();
  });
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('error', (e) => {
      err += `\nspawn failed: ${e.message}`;
      info ??= { code: null, signal: null };
      notify();
      resolve(info);
    });
    child.once('exit', (code, signal) => {
      // 'exit' may come before the last output is read: wait for the pipes to close ('close'),
      // but not forever, since a grandchild left holding them (a proxy's worker after SIGKILL)
      // would keep them open.
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        info = { code, signal };
        notify();
        resolve(info);
      };
      const timer = setTimeout(finish, PIPE_DRAIN_MS);
      child.once('close', finish);
      if (child.stdout!.readableEnded && child.stderr!.readableEnded) finish();
    });
  });
  if (child.pid === undefined) {
    // spawn reports ENOENT asynchronously; the pid is missing at once.
    throw new Error(`${name}: could not start "${cmd}"`);
  }
  const pid = child.pid;
  live.add(pid);
  void exited.then(() => live.delete(pid));

  const describe = () => `${name} (pid ${pid})\n--- stdout ---\n${out.slice(-4000)}\n--- stderr ---\n${err.slice(-4000)}`;

  return {
    name,
    pid,
    stdout: () => out,
    stderr: () => err,
    exited,
    exitInfo: () => info,
    waitForOutput(pattern, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = out.match(pattern) ?? err.match(pattern);
          if (m) return finish(() => resolve(m));
          if (info) return finish(() => reject(new Error(`${name} exited (${info!.code ?? info!.signal}) before printing ${pattern}\n${describe()}`)));
        };
        const timer = setTimeout(() => finish(() => reject(new Error(`${name} did not print ${pattern} within ${timeoutMs} ms\n${describe()}`))), timeoutMs);
        const finish = (f: () => void) => {
          clearTimeout(timer);
          watchers.delete(check);
          f();
        };
        watchers.add(check);
        check();
      });
    },
    async stop(graceMs = 5000) {
      if (info) return info;
      signal(pid, 'SIGTERM');
      const timer = setTimeout(() => signal(pid, 'SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

const SYSTEM_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** The absolute path of an executable on PATH (or a system sbin/bin directory), if any. */
export function findBinary(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...SYSTEM_DIRS];
  for (const dir of dirs) {
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* keep looking */
    }
  }
  return undefined;
}

/** True when running in CI, where a missing dependency must fail rather than skip. */
export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

/**
 * The path of a binary a suite needs. When it is missing: throws under CI=true (the suite fails,
 * as it must), otherwise returns undefined so the suite can `describe.skipIf(!path)` locally.
 */
export function requireBinary(name: string): string | undefined {
  const path = findBinary(name);
  if (path) return path;
  if (IN_CI) throw new Error(`"${name}" is required by this suite and was not found on PATH or in ${SYSTEM_DIRS.join(', ')}; .ci/run installs it`);
  return undefined;
}

/** Like requireBinary, for a file such as an Apache module. */
export function requireFile(path: string, what: string): string | undefined {
  try {
    accessSync(path, constants.R_OK);
    return path;
  } catch {
    if (IN_CI) throw new Error(`${what} is required by this suite and ${path} is missing; .ci/run installs it`);
    return undefined;
  }
}

/** waitForPort, failing early (with the process's output) if `proc` exits first. */
export async function waitForListening(proc: ManagedProcess, port: number, host = '127.0.0.1', timeoutMs = 10_000): Promise<void> {
  const exitedEarly = proc.exited.then((info) => {
    throw new Error(`${proc.name} exited (${info.code ?? info.signal}) before listening on ${host}:${port}\n--- stderr ---\n${proc.stderr().slice(-4000)}\n--- stdout ---\n${proc.stdout().slice(-2000)}`);
  });
  await Promise.race([waitForPort(port, host, timeoutMs), exitedEarly]);
}

/** Runs a command to completion (bounded by `timeoutMs`) and returns its output; for `-v` probes. */
export async function runToCompletion(cmd: string, args: readonly string[], timeoutMs = 10_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = startProcess(cmd, args, { name: cmd });
  const timer = setTimeout(() => void p.stop(), timeoutMs);
  const info = await p.exited;
  clearTimeout(timer);
  return { code: info.code, stdout: p.stdout(), stderr: p.stderr() };
}
