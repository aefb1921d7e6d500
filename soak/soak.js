// Soak (`npm run soak`, not in CI): SOAK_CLIENTS client slots (default 2000) connect, talk and
// leave for SOAK_SECONDS (default 60) against a gateway in trusted-proxy mode, from loopback
// sources 127.0.0.1-14 (trusted) and 127.0.0.100-119 (untrusted). Some clients misbehave. Halfway
// through, a reload removes one user; later an invalid file is written and then fixed.
// Passes when: zero wrong admissions, the gateway never crashes, and its heap after the clients
// leave is within 10% of the warm baseline. Prints a JSON report.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { badFrames, flooder, orAfter, refused, silent, sleep, stopsReading, talker } from './clients.js';

const SLOTS = Number(process.env.SOAK_CLIENTS ?? 2000);
const DURATION_MS = Number(process.env.SOAK_SECONDS ?? 60) * 1000;
const MAX_AGE_SEC = 20;
const TRUSTED = Array.from({ length: 14 }, (_, i) => `127.0.0.${i + 1}`);
const UNTRUSTED = Array.from({ length: 20 }, (_, i) => `127.0.0.${100 + i}`);
const USERS = Array.from({ length: 200 }, (_, i) => `user${i}@example.com`);
const pick = (a) => a[Math.floor(Math.random() * a.length)];

function configText({ carol = true, broken = false } = {}) {
  const gateway = {
    port: 0,
    trustedProxies: ['127.0.0.0/28'],
    auth: { mode: 'trusted-proxy', sessionMaxAgeSec: MAX_AGE_SEC, trustedProxy: { userHeader: 'x-user', allowUsers: [...USERS, ...(carol ? ['carol@example.com'] : [])] } },
    limits: { maxConnections: 5000, maxUnauthenticated: 2500, handshakeTimeoutMs: 3000, maxFrameBytes: 16384, maxFramesPerSecond: 20, frameBurst: 40, maxBufferedBytes: 256 * 1024 },
  };
  if (broken) gateway.trustedProxies = ['not-an-address'];
  return JSON.stringify({ gateway }, null, 2);
}

// Role weights (percent). "carol" is allowed until the mid-soak reload removes her.
const ROLES = [['talker', 64], ['long', 6], ['carol', 4], ['notAllowed', 6], ['untrusted', 7], ['badFrames', 5], ['flooder', 4], ['silent', 3], ['stopsReading', 1]];
function pickRole() {
  let n = Math.random() * 100;
  for (const [role, w] of ROLES) if ((n -= w) < 0) return role;
  return 'talker';
}

const stats = {};
const bump = (role, key, n = 1) => ((stats[role] ??= {})[key] = (stats[role][key] ?? 0) + n);
const wrong = [];
const liveCarol = new Set();
let reloadAckAt = Infinity;
let reloadReport;
let soakStart = 0;

async function runRole(role, port) {
  bump(role, 'attempts');
  const src = pick(TRUSTED);
  const user = pick(USERS);
  switch (role) {
    case 'talker':
    case 'long': {
      const r = await talker(port, src, user, role === 'long' ? 26_000 : 2000 + Math.random() * 10_000);
      if (!r.admitted) return void (bump(role, `refused:${r.refusal}`), wrong.push({ role, kind: 'refused', reason: r.refusal, at: Math.round((Date.now() - soakStart) / 1000) }));
      bump(role, 'admitted');
      bump(role, 'calls', r.calls);
      if (r.badReplies) bump(role, 'badReplies', r.badReplies);
      const c = r.closedByServer;
      if (c) {
        bump(role, `closed:${c.code}:${c.reason}`);
        const age = (c.at - r.admittedAt) / 1000;
        // The only server close a well-behaved client may get is its age limit, at the right age.
        if (c.code !== 4001 || age < MAX_AGE_SEC - 1) wrong.push({ role, kind: 'closed', code: c.code, reason: c.reason, age });
      }
      return;
    }
    case 'carol': {
      const startedAt = Date.now();
      const r = await talker(port, src, 'carol@example.com', 2000 + Math.random() * 10_000, (sess) => {
        const entry = { s: sess, hold: false };
        liveCarol.add(entry);
        void sess.closed.then(() => liveCarol.delete(entry));
        return entry;
      });
      if (r.admitted) {
        bump(role, 'admitted');
        if (startedAt > reloadAckAt) wrong.push({ role, kind: 'admitted after her removal' });
      } else bump(role, `refused:${r.refusal}`);
      if (r.closedByServer) bump(role, `closed:${r.closedByServer.code}:${r.closedByServer.reason}`);
      return;
    }
    case 'notAllowed':
    case 'untrusted': {
      const r = await refused(port, role === 'untrusted' ? pick(UNTRUSTED) : src, role === 'untrusted' ? user : `mallory${Math.floor(Math.random() * 1000)}@example.com`);
      bump(role, r.admitted ? 'admitted' : `refused:${r.reason}`);
      const want = role === 'untrusted' ? 'trusted_proxy_untrusted_source' : 'trusted_proxy_user_not_allowed';
      if (r.admitted) wrong.push({ role, kind: 'admitted' });
      else if (r.reason !== want) wrong.push({ role, kind: 'wrong reason', reason: r.reason });
      return;
    }
    case 'badFrames': {
      const r = await badFrames(port, src, user);
      bump(role, r.ok ? 'survived' : 'failed');
      if (!r.ok) wrong.push({ role, kind: 'dropped or unanswered' });
      return;
    }
    case 'flooder': {
      const r = await flooder(port, src, user);
      bump(role, `closed:${r.code}:${r.reason}`);
      if (r.reason !== 'frame_rate_exceeded') wrong.push({ role, kind: 'not closed for its flood', code: r.code, reason: r.reason });
      return;
    }
    case 'silent': {
      const r = await silent(port, src, user);
      bump(role, `closed:${r.code}:${r.reason}`);
      if (r.reason !== 'handshake_timeout') wrong.push({ role, kind: 'not timed out', code: r.code, reason: r.reason });
      return;
    }
    case 'stopsReading': {
      const r = await stopsReading(port, src, user);
      bump(role, r.dropped ? 'dropped' : r.upgraded ? 'kept' : 'not upgraded');
      return;
    }
  }
}

const progress = (what) => process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${what}\n`);

function ipc(child, type) {
  return new Promise((resolve) => {
    const on = (m) => {
      if (m.type !== type) return;
      child.off('message', on);
      resolve(m);
    };
    child.on('message', on);
    child.send({ type });
  });
}

const mb = (n) => Math.round((n / 1048576) * 10) / 10;
const memView = (m) => ({ heapUsedMB: mb(m.mem.heapUsed), rssMB: mb(m.mem.rss), externalMB: mb(m.mem.external), sessions: m.sessions, presence: m.presence });

async function main() {
  const dir = mkdtempSync(join(os.tmpdir(), 'mayros-soak-'));
  const file = join(dir, 'mayros.json');
  writeFileSync(file, configText());
  const child = fork(fileURLToPath(new URL('./gateway-child.js', import.meta.url)), [file, dir], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let crashed;
  child.on('exit', (code, signal) => (crashed ??= { code, signal }));
  const { port } = await ipc(child, 'ready');
  const cold = await ipc(child, 'measure');
  progress(`gateway on port ${port}; warming up`);

  // Warm-up: the same code paths once, so JIT and lazily built structures are in the baseline.
  const warmEnd = Date.now() + 5000;
  await Promise.all(Array.from({ length: 200 }, async () => {
    while (Date.now() < warmEnd) await talker(port, pick(TRUSTED), pick(USERS), 1000 + Math.random() * 1500);
  }));
  for (const end = Date.now() + 15_000; Date.now() < end && (await ipc(child, 'sample')).sessions > 0; ) await sleep(200);
  await sleep(1000);
  const baseline = await ipc(child, 'measure');
  await ipc(child, 'reset-loop');

  progress(`baseline heap ${memView(baseline).heapUsedMB} MB; ${SLOTS} slots for ${DURATION_MS / 1000} s`);
  const start = Date.now();
  soakStart = start;
  const deadline = start + DURATION_MS;
  const samples = [];
  let running = 0;
  const sampler = setInterval(async () => {
    const m = { t: Math.round((Date.now() - start) / 1000), ...memView(await ipc(child, 'sample')) };
    samples.push(m);
    progress(`t=${m.t}s sessions=${m.sessions} heap=${m.heapUsedMB} MB rss=${m.rssMB} MB clients running=${running} wrong=${wrong.length}`);
  }, 10_000);
  const events = (async () => {
    await sleep(DURATION_MS / 2);
    // Carol's sessions open when the reload starts must be closed by the re-check, within a
    // second; they are held open from here so none leaves on its own in the meantime.
    const atAck = [...liveCarol].filter((e) => e.s.ws.readyState === 1);
    for (const e of atAck) e.hold = true;
    replace(file, configText({ carol: false }));
    const ack = await ipc(child, 'reload');
    reloadAckAt = Date.now();
    const closes = await Promise.all(atAck.map((e) => orAfter(e.s.closed, 1500, undefined)));
    const revoked = closes.filter((c) => c && c.code === 1008 && c.reason === 'trusted_proxy_user_not_allowed' && c.at - reloadAckAt < 1000).length;
    if (revoked !== atAck.length) wrong.push({ role: 'carol', kind: 'not revoked within 1 s', open: atAck.length, revoked, closes });
    reloadReport = { status: ack.status, generation: ack.generation, recheck: ack.recheck, carolOpenAtReload: atAck.length, revokedWithin1s: revoked };
    await sleep(DURATION_MS / 4 - 1500);
    replace(file, configText({ carol: false, broken: true }));
    await sleep(1000);
    replace(file, configText({ carol: false }));
  })();

  await Promise.all(Array.from({ length: SLOTS }, async (_, i) => {
    await sleep((i / SLOTS) * 5000);
    for (let n = 0; n < 10_000 && Date.now() < deadline; n++) {
      running++;
      await runRole(pickRole(), port).catch((err) => wrong.push({ kind: 'client error', message: String(err) }));
      running--;
    }
  }));
  clearInterval(sampler);
  progress('traffic over; waiting for the reload script');
  await events;
  const endOfTraffic = Date.now();
  progress('waiting for the gateway to drain');

  let drained = false;
  for (const end = Date.now() + 20_000; Date.now() < end && !drained; await sleep(200)) drained = (await ipc(child, 'sample')).sessions === 0;
  await sleep(2000);
  const final = await ipc(child, 'measure');
  const exited = new Promise((r) => child.once('exit', r));
  child.send({ type: 'stop' });
  await orAfter(exited, 10_000);
  const exit = crashed ?? { code: child.exitCode, signal: child.signalCode };
  rmSync(dir, { recursive: true, force: true });

  const heapDeltaPct = Math.round(((final.mem.heapUsed - baseline.mem.heapUsed) / baseline.mem.heapUsed) * 1000) / 10;
  const admissions = Object.values(stats).reduce((n, s) => n + (s.admitted ?? 0), 0);
  const attempts = Object.values(stats).reduce((n, s) => n + (s.attempts ?? 0), 0);
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cores: os.cpus().length,
    loadAverage: os.loadavg().map((n) => Math.round(n * 10) / 10),
    slots: SLOTS,
    seconds: DURATION_MS / 1000,
    trafficSeconds: Math.round((endOfTraffic - start) / 1000),
    attempts,
    admissions,
    wrongAdmissions: wrong.filter((w) => /admitted/.test(w.kind)).length,
    otherViolations: wrong.filter((w) => !/admitted/.test(w.kind)),
    roles: stats,
    reload: reloadReport,
    gateway: {
      exit,
      drained,
      cold: memView(cold),
      baseline: memView(baseline),
      samples,
      final: memView(final),
      heapDeltaPct,
      loopDelayMs: final.loopDelayMs,
      cpuSeconds: Math.round(((final.cpu.user + final.cpu.system) - (baseline.cpu.user + baseline.cpu.system)) / 1e5) / 10,
      generation: final.generation,
      stalls: final.stalls,
      logCounts: final.counts,
      suppressedLogLines: final.suppressed,
    },
  };
  const pass = report.wrongAdmissions === 0 && report.otherViolations.length === 0 && exit.code === 0 && drained && Math.abs(heapDeltaPct) <= 10;
  process.stdout.write(`${JSON.stringify({ pass, ...report }, null, 2)}\n`);
  process.exitCode = pass ? 0 : 1;
}

function replace(file, text) {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

main().catch((err) => {
  process.stderr.write(`soak failed: ${err.stack ?? err}\n`);
  process.exitCode = 1;
});
