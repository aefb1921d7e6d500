/**
 * Figure 7: the journal. Appends per second with the hash chain, one entry per transaction,
 * against a bare INSERT of the same row (context: what the chain costs); verifyJournal() over
 * 100,000 entries against reading the same rows without hashing; the aggregator's cost per admitted
 * request (the only journal work on a request once a person's first admission is written); and `mayros journal verify` over
 * that journal as a person runs it (a new process) against `node -e ""`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAYROS_BIN, checkMeasuredNode, getMeasuredNode, startClient } from '../lib/servers.js';
import { timeCommand } from '../lib/proc.js';
import { median } from '../lib/stats.js';

/** GNU time, for the CPU time of a command (optional). */
const TIME_BIN = '/usr/bin/time';

/** @param {import('../run.js').Context} ctx */
export async function run(ctx) {
  const { sizes, ws } = ctx;
  const child = ctx.track(startClient('journal.js', { measured: true }));
  await checkMeasuredNode(child);
  const a = await child.request('appends', { dir: ws.dir, appends: sizes.journalAppends, rounds: sizes.journalRounds }, 300_000);
  const ad = await child.request('admit', { admits: sizes.journalAdmits, rounds: sizes.journalRounds }, 120_000);
  const v = await child.request('verify', { dir: ws.dir, verifyEntries: sizes.journalVerifyEntries, rounds: sizes.journalRounds }, 300_000);
  const env = { ...process.env, MAYROS_STATE_DIR: ws.stateDir, MAYROS_CONFIG_PATH: undefined };
  const nodeBin = getMeasuredNode();
  const node = [];
  const cli = [];
  const nodeCpu = [];
  const cliCpu = [];
  // The commands' own CPU time (user + system) comes from GNU time when it is installed: on a
  // loaded machine wall time counts every other process's turn on the cores too.
  const cpuFile = join(ws.dir, 'journal-cli-cpu.txt');
  const withCpu = existsSync(TIME_BIN);
  const run = async (args, timeoutMs) => {
    const r = withCpu ? await timeCommand(TIME_BIN, ['-f', '%U %S', '-o', cpuFile, nodeBin, ...args], { env, timeoutMs }) : await timeCommand(nodeBin, args, { env, timeoutMs });
    const cpuMs = withCpu ? readFileSync(cpuFile, 'utf8').trim().split(/\s+/).slice(-2).reduce((a, x) => a + Number(x) * 1000, 0) : NaN;
    return { ...r, cpuMs };
  };
  for (let i = 0; i < sizes.journalRounds; i++) {
    const e = await run(['-e', ''], 15_000);
    node.push(e.ms);
    nodeCpu.push(e.cpuMs);
    const r = await run([MAYROS_BIN, 'journal', 'verify', '--db', v.file], 30_000);
    if (!r.stdout.includes(`${sizes.journalVerifyEntries} entries`)) throw new Error(`mayros journal verify did not verify the benchmark journal: ${r.stdout.slice(0, 200)}`);
    cli.push(r.ms);
    cliCpu.push(r.cpuMs);
  }
  const n = median(node);
  const c = median(cli);
  const nc = median(nodeCpu);
  const cc = median(cliCpu);
  const entries = sizes.journalVerifyEntries.toLocaleString('en-US');
  return {
    id: '7-journal',
    title: 'Journal: chained appends per second; verifying the chain',
    rows: [
      { metric: 'appends/s, one per transaction, with the chain (CPU time)', unit: '/s', gateway: a.chainedPerSec, baseline: a.barePerSec, ratio: a.chainedPerSec / a.barePerSec, target: '>= 5,000/s', pass: a.chainedPerSec >= 5000 },
      { metric: 'appends/s, as above (wall time)', unit: '/s', gateway: a.chainedWallPerSec, baseline: a.bareWallPerSec, ratio: a.chainedWallPerSec / a.bareWallPerSec, target: '', pass: undefined },
      { metric: `verifyJournal() over ${entries} entries (CPU time)`, unit: 'ms', gateway: v.verifyMs, baseline: v.readMs, ratio: v.verifyMs / v.readMs, target: '< 1000 ms', pass: v.verifyMs < 1000 },
      { metric: 'aggregator: an admitted request, counted (CPU time)', unit: 'ns', gateway: ad.nsPerAdmit, baseline: undefined, ratio: undefined, target: '< 1000 ns', pass: ad.nsPerAdmit < 1000 },
      { metric: `mayros journal verify over ${entries} entries (new process)`, unit: 'ms', gateway: c, baseline: n, ratio: c / n, target: '< 1000 ms', pass: c < 1000 },
      ...(withCpu ? [{ metric: 'mayros journal verify, as above (CPU time of the process)', unit: 'ms', gateway: cc, baseline: nc, ratio: cc / nc, target: '', pass: undefined }] : []),
    ],
    details: { appends: a, admit: ad, verify: { verifyMs: v.verifyMs, verifyWallMs: v.verifyWallMs, readMs: v.readMs, samples: v.samples, wallSamples: v.wallSamples, readSamples: v.readSamples }, cliMs: cli, nodeMs: node, cliCpuMs: cliCpu, nodeCpuMs: nodeCpu, sizes: { appends: sizes.journalAppends, verifyEntries: sizes.journalVerifyEntries, rounds: sizes.journalRounds } },
    note: `median of ${sizes.journalRounds} round(s) after one warm-up; CPU time of the measuring process (wall time in the JSON and the context row); appends baseline = bare INSERT of the same row (no chain); verify baseline = reading the same rows without hashing; CLI baseline = node -e ""`,
  };
}
