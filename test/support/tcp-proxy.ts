/**
 * A byte-for-byte TCP proxy in a process of its own (so a test can SIGKILL it with connections
 * through it), listening on 127.0.0.1 and forwarding to a port on 127.0.0.1. Stopped by PID.
 */
import { startProcess, type ManagedProcess } from './processes.js';

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

export interface TcpProxyProcess extends ManagedProcess {
  readonly port: number;
}

/** Starts the proxy in front of `target` and resolves once it listens. */
export async function startTcpProxyProcess(target: number): Promise<TcpProxyProcess> {
  const proc = startProcess(process.execPath, ['-e', PROXY_SOURCE, String(target)], { name: 'tcp proxy' });
  try {
    const m = await proc.waitForOutput(/proxy on (\d+)/);
    return Object.assign(proc, { port: Number(m[1]) });
  } catch (err) {
    await proc.stop();
    throw err;
  }
}
