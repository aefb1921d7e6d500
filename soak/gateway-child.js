// The gateway under soak, in its own process so its memory is measured apart from the clients.
// Started by soak/soak.js as `node --expose-gc soak/gateway-child.js <config> <stateDir>`; it
// answers IPC messages: measure (after a full GC), sample (no GC), reload, stop.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfigForStartup } from '../dist/config/load.js';
import { ensureToken } from '../dist/config/token-store.js';
import { startGateway } from '../dist/gateway/server.js';

const [configPath, stateDir] = process.argv.slice(2);
const loadOptions = { configPath, env: { MAYROS_STATE_DIR: stateDir } };

// Log lines are counted, not printed: the rejection log is rate-limited, so these counts are
// lower bounds (the `suppressed` totals are kept apart).
const counts = {};
let suppressed = 0;
const sink = new Writable({
  write(chunk, _enc, cb) {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line) continue;
      try {
        const l = JSON.parse(line);
        const key = `${l.event ?? l.msg}${l.reason ? `:${l.reason}` : ''}`;
        counts[key] = (counts[key] ?? 0) + 1;
        suppressed += l.suppressed ?? 0;
        if (l.level >= 50) process.stderr.write(`${line}\n`);
      } catch {
        /* not JSON */
      }
    }
    cb();
  },
});
const logger = pino({ level: 'info', base: undefined }, sink);

const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();

// Stalls over 500 ms, with when they ended, to tell CPU starvation from work we did.
const stalls = [];
let lastBeat = Date.now();
setInterval(() => {
  const now = Date.now();
  if (now - lastBeat > 600) stalls.push({ at: new Date(now).toISOString().slice(11, 23), ms: now - lastBeat - 100, sessions: gw?.ws.sessions.size });
  lastBeat = now;
}, 100).unref();
let gw;

const { resolved } = ensureToken(loadConfigForStartup(loadOptions));
gw = await startGateway({ resolved, logger, loadOptions, watchConfig: true, watchDebounceMs: 100 });

function snapshot() {
  const code = getHeapSpaceStatistics().find((sp) => sp.space_name === 'code_space')?.space_used_size ?? 0;
  return {
    mem: process.memoryUsage(),
    codeBytes: code,
    cpu: process.cpuUsage(),
    sessions: gw.ws.sessions.size,
    pending: gw.ws.pendingCount,
    presence: gw.ctx.presence.size,
    generation: gw.ctx.generation.n,
    loopDelayMs: { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
    counts,
    suppressed,
    stalls,
  };
}

process.on('message', async (m) => {
  if (m.type === 'measure') {
    for (let i = 0; i < 3; i++) globalThis.gc();
    process.send({ type: 'measure', ...snapshot() });
  } else if (m.type === 'sample') {
    process.send({ type: 'sample', ...snapshot() });
  } else if (m.type === 'snapshot') {
    // Debug aid (SOAK_SNAPSHOTS=dir): a heap snapshot after a full GC, to diff between rounds.
    for (let i = 0; i < 3; i++) globalThis.gc();
    const { writeHeapSnapshot } = await import('node:v8');
    process.send({ type: 'snapshot', file: writeHeapSnapshot(join(process.env.SOAK_SNAPSHOTS ?? '.', `gateway-${Date.now()}.heapsnapshot`)) });
  } else if (m.type === 'reset-loop') {
    loop.reset();
    process.send({ type: 'reset-loop' });
  } else if (m.type === 'reload') {
    const t0 = process.hrtime.bigint();
    const out = await gw.reload('api');
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    process.send({ type: 'reload', status: out.status, generation: out.generation, reloadMs: Math.round(ms * 10) / 10, recheck: out.status === 'applied' ? out.recheck : undefined });
  } else if (m.type === 'stop') {
    await gw.close(2000);
    process.exit(0);
  }
});
process.send({ type: 'ready', port: gw.port });
