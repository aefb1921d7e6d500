/**
 * Child processes for the benchmark: every process is tracked by PID from spawn to exit, stopped
 * by PID, and killed if the benchmark itself exits early. Waits are always bounded in time.
 */
import { spawn } from 'node:child_process';

/** @type {Map<number, import('node:child_process').ChildProcess>} */
const live = new Map();

process.on('exit', () => {
  for (const child of live.values()) {
    try {
      child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
});
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    process.stderr.write(`bench: ${sig}, stopping ${live.size} child process(es)\n`);
    process.exit(130);
  });
}

const TAIL_BYTES = 8192;

/**
 * A started child. `lines` are stdout lines seen so far (bounded); `stderrTail` keeps the last
 * few KB of stderr for error messages.
 */
export class Child {
  /**
   * @param {string} name for messages
   * @param {string} command
   * @param {string[]} args
   * @param {{ env?: NodeJS.ProcessEnv, ipc?: boolean, cwd?: string }} [opts]
   */
  constructor(name, command, args, opts = {}) {
    this.name = name;
    this.startedAt = process.hrtime.bigint();
    this.proc = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe', ...(opts.ipc ? ['ipc'] : [])],
    });
    this.pid = this.proc.pid;
    if (this.pid === undefined) throw new Error(`${name}: spawn failed`);
    live.set(this.pid, this.proc);
    /** @type {string[]} */
    this.lines = [];
    this.stderrTail = '';
    /** @type {{ code: number | null, signal: string | null } | undefined} */
    this.exit = undefined;
    this.exited = new Promise((resolve) => {
      this.proc.once('exit', (code, signal) => {
        live.delete(/** @type {number} */ (this.pid));
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
    this.proc.once('error', () => {
      /* reported through 'exit' */
    });
    /** @type {Set<(line: string) => void>} */
    this.lineWatchers = new Set();
    let partial = '';
    this.proc.stdout?.setEncoding('utf8').on('data', (chunk) => {
      partial += chunk;
      let nl;
      while ((nl = partial.indexOf('\n')) >= 0) {
        const line = partial.slice(0, nl);
        partial = partial.slice(nl + 1);
        if (this.lines.length < 200) this.lines.push(line);
        for (const w of this.lineWatchers) w(line);
      }
    });
    this.proc.stderr?.setEncoding('utf8').on('data', (chunk) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-TAIL_BYTES);
    });
    /** @type {Map<number, { resolve: (v: any) => void, reject: (e: Error) => void }>} */
    this.pending = new Map();
    this.nextId = 1;
    this.proc.on('message', (/** @type {any} */ msg) => {
      const p = msg && this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new Error(`${this.name}: ${msg.error}`));
    });
    this.exited.then(() => {
      for (const p of this.pending.values()) p.reject(new Error(`${this.name} exited (${this.describeExit()})${this.stderrHint()}`));
      this.pending.clear();
    });
  }

  describeExit() {
    return this.exit ? (this.exit.signal ? `signal ${this.exit.signal}` : `code ${this.exit.code}`) : 'running';
  }

  stderrHint() {
    const t = this.stderrTail.trim();
    return t ? `; stderr: ${t.slice(-600)}` : '';
  }

  /**
   * Resolves with the first stdout line matching `re` (including lines already seen) and the
   * milliseconds from spawn to that line.
   * @param {RegExp} re
   * @param {number} timeoutMs
   * @returns {Promise<{ match: RegExpMatchArray, ms: number }>}
   */
  waitForLine(re, timeoutMs) {
    return new Promise((resolve, reject) => {
      const done = (/** @type {string} */ line) => {
        const m = line.match(re);
        if (!m) return false;
        cleanup();
        resolve({ match: m, ms: Number(process.hrtime.bigint() - this.startedAt) / 1e6 });
        return true;
      };
      const cleanup = () => {
        clearTimeout(timer);
        this.lineWatchers.delete(watcher);
        onExit.cancelled = true;
      };
      const watcher = (/** @type {string} */ line) => void done(line);
      const onExit = { cancelled: false };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${this.name}: no line matching ${re} within ${timeoutMs} ms${this.stderrHint()}`));
      }, timeoutMs);
      for (const line of this.lines) if (done(line)) return;
      this.lineWatchers.add(watcher);
      this.exited.then(() => {
        if (onExit.cancelled) return;
        cleanup();
        reject(new Error(`${this.name} exited (${this.describeExit()}) before printing ${re}${this.stderrHint()}`));
      });
    });
  }

  /**
   * Sends an IPC request `{ id, cmd, ...args }` and resolves with the reply's result.
   * @param {string} cmd
   * @param {Record<string, unknown>} args
   * @param {number} timeoutMs
   */
  request(cmd, args, timeoutMs) {
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: "${cmd}" got no reply within ${timeoutMs} ms${this.stderrHint()}`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => (clearTimeout(timer), resolve(v)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.proc.send({ id, cmd, ...args });
    });
  }

  /**
   * Stops the process by PID: `signal` first, SIGKILL after `graceMs`. Resolves once it has exited.
   * @param {NodeJS.Signals} [signal]
   * @param {number} [graceMs]
   */
  async stop(signal = 'SIGTERM', graceMs = 3000) {
    if (this.exit) return this.exit;
    this.proc.kill(signal);
    const timer = new Promise((r) => setTimeout(r, graceMs).unref());
    await Promise.race([this.exited, timer]);
    if (!this.exit) this.proc.kill('SIGKILL');
    return this.exited;
  }
}

/** Number of child processes still running (for the final check that none is left behind). */
export function liveChildren() {
  return live.size;
}

/**
 * Runs a command to completion and returns its wall time in ms, from spawn to exit.
 * @param {string} command
 * @param {string[]} args
 * @param {{ env?: NodeJS.ProcessEnv, timeoutMs: number }} opts
 */
export async function timeCommand(command, args, opts) {
  const child = new Child(`${command} ${args.join(' ')}`.slice(0, 80), command, args, { env: opts.env });
  const timer = setTimeout(() => void child.stop('SIGKILL'), opts.timeoutMs);
  const exit = await child.exited;
  clearTimeout(timer);
  const ms = Number(process.hrtime.bigint() - child.startedAt) / 1e6;
  if (exit.code !== 0) throw new Error(`${child.name} failed (${child.describeExit()})${child.stderrHint()}`);
  return { ms, stdout: child.lines.join('\n') };
}
