/**
 * Preloaded into every server the benchmark measures (`node --expose-gc --import probe.js ...`),
 * so the gateway runs unmodified from the real CLI. Answers over IPC:
 *   { cmd: "mem" }  the process's memory after a full garbage collection
 *   { cmd: "cpu" }  the process's CPU time so far (process.cpuUsage(), microseconds)
 *   { cmd: "version" }  the Node.js version it runs on (the benchmark checks it is the measured one)
 * Stops the server when the parent goes away.
 */
import { setTimeout as sleep } from 'node:timers/promises';

if (process.send) {
  process.on('message', async (/** @type {any} */ msg) => {
    if (msg?.cmd === 'version') {
      process.send?.({ id: msg.id, ok: true, result: process.version });
      return;
    }
    if (msg?.cmd === 'cpu') {
      process.send?.({ id: msg.id, ok: true, result: process.cpuUsage() });
      return;
    }
    if (!msg || msg.cmd !== 'mem') return;
    const gc = /** @type {undefined | (() => void)} */ (globalThis.gc);
    if (!gc) {
      process.send?.({ id: msg.id, ok: false, error: 'start the server with --expose-gc' });
      return;
    }
    // Two passes with a pause between: the first may only schedule weak callbacks and finalizers.
    gc();
    await sleep(50);
    gc();
    process.send?.({ id: msg.id, ok: true, result: process.memoryUsage() });
  });
  // The probe must not keep a server alive on its own; the listening socket does that.
  process.channel?.unref();
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}
