/**
 * The child side of the IPC protocol in proc.js: requests `{ id, cmd, ...args }` are answered with
 * `{ id, ok, result | error }`; `{ cmd: "version" }` answers the Node.js version. A worker exits when its parent goes away, so no load generator or
 * server outlives the benchmark.
 */

/**
 * @param {Record<string, (msg: any) => unknown>} handlers
 */
export function serve(handlers) {
  if (!process.send) throw new Error('this script is started by bench/run.js (it needs an IPC channel)');
  process.on('message', async (/** @type {any} */ msg) => {
    if (!msg || typeof msg.id !== 'number') return;
    const handler = msg.cmd === 'version' ? () => process.version : Object.hasOwn(handlers, msg.cmd) ? handlers[msg.cmd] : undefined;
    try {
      if (!handler) throw new Error(`unknown command "${msg.cmd}"`);
      const result = await handler(msg);
      process.send?.({ id: msg.id, ok: true, result });
    } catch (err) {
      process.send?.({ id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  });
  process.on('disconnect', () => process.exit(0));
}
