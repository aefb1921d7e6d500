#!/usr/bin/env node
/**
 * `npm run bench [-- --smoke] [-- --only=http,http-unix,http-mtls,ws,mem,decide,startup,journal,chat,revoke] [-- --node PATH]`
 *
 * Measures each figure of the benchmark next to its baseline in the same run, prints a table and
 * writes bench/results/latest.json (smoke runs write smoke.json). The machine is shared, so the
 * ratios are what count; absolute numbers are context. --smoke runs every figure at tiny sizes in a
 * few seconds: it asserts nothing about speed, but exits 1 if any figure could not be measured.
 * --node PATH runs everything measured (gateway, baselines, decision loop, start-up commands) on
 * that node binary; the load generators stay on this one.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { makeWorkspace } from './lib/fixtures.js';
import { liveChildren } from './lib/proc.js';
import { renderTable, writeResults } from './lib/report.js';
import { ROOT, getMeasuredNode, useMeasuredNode } from './lib/servers.js';
import * as http from './figures/http.js';
import * as wsHandshake from './figures/ws-handshake.js';
import * as wsMemory from './figures/ws-memory.js';
import * as decision from './figures/decision.js';
import * as startup from './figures/startup.js';
import * as journal from './figures/journal.js';
import * as chat from './figures/chat.js';
import * as revoke from './figures/revoke.js';

/** Sizes of a full run (about two minutes on two cores) and of a smoke run (a few seconds). */
const SIZES = {
  full: {
    httpConnections: 50, httpWarmupSec: 2, httpRunSec: 1, httpPairs: 16,
    wsConcurrency: 50, wsWarmupMs: 2000, wsRunMs: 1200, wsPairs: 10, wsMaxCount: 200_000,
    memClients: 5000, memWarmup: 500, memBatch: 100,
    decideProxies: [1, 100, 10_000], decideUsers: [10, 100_000], decideRules: [0, 10, 1000, 10_000], decideRounds: 9, decideRoundMs: 60, decideWarmup: 200_000,
    startupRounds: 7,
    journalAppends: 20_000, journalVerifyEntries: 100_000, journalRounds: 5, journalAdmits: 2_000_000,
    chatWarmup: 10, chatBlock: 50, chatRounds: 600, chatThinkRounds: 100, chatThinkMs: 20, chatRateRounds: 7, chatStreamDeltas: 20_000, chatConnections: 100, chatStreams: 500, chatConcurrentDeltas: 50, chatHistoryMessages: 10_000,
    revokeRounds: 20, revokeBystanders: 50,
  },
  smoke: {
    httpConnections: 4, httpWarmupSec: 0, httpRunSec: 0.5, httpPairs: 1,
    wsConcurrency: 4, wsWarmupMs: 0, wsRunMs: 300, wsPairs: 1, wsMaxCount: 2000,
    memClients: 50, memWarmup: 10, memBatch: 25,
    decideProxies: [1, 100], decideUsers: [10, 1000], decideRules: [0, 10, 1000], decideRounds: 2, decideRoundMs: 5, decideWarmup: 1000,
    startupRounds: 1,
    journalAppends: 500, journalVerifyEntries: 2000, journalRounds: 1, journalAdmits: 10_000,
    chatWarmup: 2, chatBlock: 5, chatRounds: 10, chatThinkRounds: 5, chatThinkMs: 5, chatRateRounds: 1, chatStreamDeltas: 500, chatConnections: 5, chatStreams: 10, chatConcurrentDeltas: 5, chatHistoryMessages: 200,
    revokeRounds: 2, revokeBystanders: 5,
  },
};

const FIGURES = { http, 'http-unix': { run: http.runUnix }, 'http-mtls': { run: http.runMtls }, ws: wsHandshake, mem: wsMemory, decide: decision, startup, journal, chat, revoke };

/**
 * @typedef {object} Context
 * @property {boolean} smoke
 * @property {typeof SIZES.full} sizes
 * @property {ReturnType<typeof makeWorkspace>} ws
 * @property {<T>(x: T) => T} track registers a Child (or a promise of { child }) to stop after the figure
 */

const USAGE = 'usage: npm run bench [-- --smoke] [-- --only=http,http-unix,http-mtls,ws,mem,decide,startup,journal,chat,revoke] [-- --node PATH]\n';

function parseArgs(argv) {
  /** @type {{ smoke: boolean, only: string[], node: string | undefined }} */
  const opts = { smoke: false, only: Object.keys(FIGURES), node: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--smoke') opts.smoke = true;
    else if (a === '--node' || a.startsWith('--node=')) {
      const value = a === '--node' ? argv[++i] : a.slice(7);
      if (!value || value.startsWith('--')) throw new Error('--node needs the path of a node binary, e.g. --node /tmp/mayros-node-24.22.3/bin/node');
      opts.node = value;
    } else if (a.startsWith('--only=')) {
      opts.only = a.slice(7).split(',').filter(Boolean);
      const bad = opts.only.filter((f) => !Object.hasOwn(FIGURES, f));
      if (bad.length) throw new Error(`--only: unknown figure(s) ${bad.join(', ')}; choose from ${Object.keys(FIGURES).join(', ')}`);
    } else if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument "${a}"; try --help`);
  }
  return opts;
}

/**
 * The version of the node binary at `path`, which must run here.
 * @param {string} path
 */
function nodeVersion(path) {
  const r = spawnSync(path, ['-p', 'process.version'], { encoding: 'utf8', timeout: 15_000 });
  const out = (r.stdout ?? '').trim();
  if (r.error || r.status !== 0 || !/^v\d+\.\d+\.\d+$/.test(out)) {
    const why = r.error ? r.error.message : `exit ${r.status ?? r.signal}${r.stderr ? `: ${r.stderr.trim().split('\n')[0]}` : ''}`;
    throw new Error(`--node ${path}: not a node binary that runs here (${why})`);
  }
  return out;
}

/**
 * The measured processes load native addons (better-sqlite3) from node_modules, which is compiled
 * for one runtime: stop before measuring when they do not load in the measured node.
 * @param {string} path
 * @param {string} version
 */
function checkAddons(path, version) {
  const r = spawnSync(path, [join(ROOT, '.ci/check-addons.js')], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (r.status === 0) return;
  const prefix = (/** @type {string} */ p) => dirname(dirname(p));
  const back = path === process.execPath ? '' : `; afterwards, for this node again: .ci/addons build ${process.execPath} ${prefix(process.execPath)}`;
  throw new Error(
    `the native addons in node_modules do not load in Node ${version} at ${path} (they are built for another runtime). ` +
      `Build them for it first: .ci/addons build ${path} ${prefix(path)}${back}`,
  );
}

function newestMtime(dir) {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    const st = statSync(full);
    if (st.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) newest = Math.max(newest, st.mtimeMs);
  }
  return newest;
}

/** The benchmark measures the compiled dist/: build it when it is missing or older than src/. */
function ensureBuilt() {
  let built = 0;
  try {
    built = statSync(join(ROOT, 'dist/cli/main.js')).mtimeMs;
  } catch {
    /* not built */
  }
  if (built >= newestMtime(join(ROOT, 'src'))) return;
  process.stdout.write('bench: dist/ is missing or older than src/, running npm run build\n');
  const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit', timeout: 180_000 });
  if (r.status !== 0) throw new Error('npm run build failed');
}

async function runFigure(name, mod, base) {
  /** @type {import('./lib/proc.js').Child[]} */
  const children = [];
  /** @type {Context} */
  const ctx = {
    ...base,
    track: (x) => {
      if (x && typeof x.then === 'function') return x.then((v) => (children.push(v.child), v));
      children.push(x);
      return x;
    },
  };
  const t0 = performance.now();
  try {
    const result = await mod.run(ctx);
    return { ...result, seconds: (performance.now() - t0) / 1000 };
  } catch (err) {
    return { id: name, title: name, rows: [], error: err instanceof Error ? err.message : String(err), seconds: (performance.now() - t0) / 1000 };
  } finally {
    await Promise.all(children.reverse().map((c) => c.stop()));
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const measuredVersion = opts.node ? nodeVersion(resolve(opts.node)) : process.version;
  if (opts.node) useMeasuredNode(resolve(opts.node), measuredVersion);
  checkAddons(getMeasuredNode(), measuredVersion);
  ensureBuilt();
  const sizes = opts.smoke ? SIZES.smoke : SIZES.full;
  const ws = makeWorkspace();
  const t0 = performance.now();
  const figures = [];
  try {
    for (const name of opts.only) {
      process.stdout.write(`bench: ${name}${opts.smoke ? ' (smoke)' : ''} ...`);
      const f = await runFigure(name, FIGURES[name], { smoke: opts.smoke, sizes, ws });
      process.stdout.write(f.error ? ` NOT MEASURED (${f.seconds.toFixed(1)} s)\n` : ` ${f.seconds.toFixed(1)} s\n`);
      figures.push(f);
    }
  } finally {
    ws.cleanup();
  }
  const seconds = (performance.now() - t0) / 1000;
  const meta = {
    date: new Date().toISOString(),
    mode: opts.smoke ? 'smoke' : 'full',
    node: measuredVersion,
    nodePath: getMeasuredNode(),
    loadNode: process.version,
    cores: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    platform: `${process.platform} ${process.arch}`,
    seconds,
  };
  const clients = meta.loadNode === meta.node ? '' : ` (load generators on ${meta.loadNode})`;
  process.stdout.write(`\nMayros Gateway benchmark (${meta.mode}): Node ${meta.node}${clients}, ${meta.cores} cores (${meta.cpu}), ${seconds.toFixed(1)} s\n\n`);
  process.stdout.write(`${renderTable(figures)}\n`);
  if (opts.smoke) process.stdout.write('(smoke mode: tiny sizes, targets are not meaningful)\n');
  const file = join(ROOT, 'bench/results', opts.smoke ? 'smoke.json' : 'latest.json');
  writeResults(file, { meta, figures });
  process.stdout.write(`\nresults: ${file}\n`);
  if (liveChildren() > 0) throw new Error(`${liveChildren()} child process(es) still running after the benchmark`);
  const failed = figures.filter((f) => f.error || f.rows.length === 0 || f.rows.some((r) => !Number.isFinite(r.gateway) || (r.baseline !== undefined && !Number.isFinite(r.baseline))));
  if (failed.length) {
    process.stderr.write(`bench: not measured: ${failed.map((f) => f.id).join(', ')}\n`);
    process.exitCode = 1;
  }
}

main().catch((err) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
