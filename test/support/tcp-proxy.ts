/**
 * Child processes for the fault suites: the real CLI (`bin/mayros.js`, built by `npm test`) and a
 * tiny TCP proxy. Every child is tracked and stopped by PID.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/mayros.js', import.meta.url));

export interface Child {
  proc: ChildProcess;
  pid: number;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<Child>();

function track(proc: ChildProcess): Child {
  let out = '';
  let err = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const child: Child = { proc, pid: proc.pid!, stdout: () => out, stderr: () => err, exited };
  children.add(child);
  void exited.then(() => children.delete(child));
  return child;
}

/** Waits until `pattern` appears on the child's stdout; returns the match. */
export async function waitForOutput(child: Child, pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const m = child.stdout().match(pattern) ?? child.stderr().match(pattern);
    if (m) return m;
    if (Date.now() > end) throw new Error(`timed out waiting for ${pattern}; stdout: ${child.stdout()} stderr: ${child.stderr()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** `mayros gateway run` on a config file; resolves with its port once it listens. */
export async function spawnGateway(configPath: string, env: Record<string, string>, args: string[] = []): Promise<Child & { port: number }> {
  const proc = spawn(process.execPath, [BIN, 'gateway', 'run', '-c', configPath, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const child = track(proc);
  const m = await waitForOutput(child, /listening on http:\/\/127\.0\.0\.1:(\d+)/);
  return { ...child, port: Number(m[1]) };
}

/** Runs a CLI command to completion. */
export function runCli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 15_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const PROXY_SOURCE = `
const net = require('node:net');
const [target] = process.argv.slice(1).map(Number);
const server = net.createServer((down) => {
  const up = net.connect({ host: '127.0.0.1', port: target });
  down.pipe(up); up.pipe(down);
  down.on('error', () => up.destroy()); up.on('error', () => down.destroy());
});
server.listen(0, '127.0.0.1', () => process.stdout.write('proxy on ' + server.address().port + '\\n'));
`;

/** A byte-for-byte TCP proxy in its own process, listening on 127.0.0.1 and forwarding to `target`. */
export async function spawnTcpProxy(target: number): Promise<Child & { port: number }> {
  const proc = spawn(process.execPath, ['-e', PROXY_SOURCE, String(target)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const child = track(proc);
  const m = await waitForOutput(child, /proxy on (\d+)/);
  return { ...child, port: Number(m[1]) };
}

/** Kills every child still running (by PID) and waits for each to exit. */
export async function stopAllChildren(): Promise<void> {
  const left = [...children];
  for (const c of left) {
    try {
      process.kill(c.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  await Promise.all(left.map((c) => c.exited));
}
