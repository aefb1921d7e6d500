/**
 * Starting the servers the figures measure. The gateway runs from the real CLI on the compiled
 * dist/ (what users run); the baselines are the bare scripts in bench/servers. All of them get the
 * memory probe and --expose-gc, listen on loopback port 0, and print one "listening" line.
 */
import { fileURLToPath } from 'node:url';
import { Child } from './proc.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const MAYROS_BIN = fileURLToPath(new URL('../../bin/mayros.js', import.meta.url));
const PROBE = fileURLToPath(new URL('../servers/probe.js', import.meta.url));
const server = (name) => fileURLToPath(new URL(`../servers/${name}`, import.meta.url));

const LISTENING = /listening on ((?:https?:\/\/127\.0\.0\.1:\d+)|unix:\S+)/;
const NODE_FLAGS = ['--expose-gc', '--import', PROBE];

/**
 * @param {Child} child
 * @returns {Promise<{ child: Child, url: string }>}
 */
async function ready(child) {
  try {
    const { match } = await child.waitForLine(LISTENING, 15_000);
    return { child, url: match[1] };
  } catch (err) {
    await child.stop('SIGKILL');
    throw err;
  }
}

/**
 * `mayros gateway run` with the workspace config (or `configPath`), on a free port.
 * @param {{ configPath: string, stateDir: string }} ws
 * @param {string} [configPath]
 */
export function startGateway(ws, configPath = ws.configPath) {
  const child = new Child('gateway', process.execPath, [...NODE_FLAGS, MAYROS_BIN, 'gateway', 'run', '--config', configPath, '--port', '0'], {
    ipc: true,
    env: { ...process.env, MAYROS_STATE_DIR: ws.stateDir, MAYROS_CONFIG_PATH: undefined, MAYROS_GATEWAY_TOKEN: undefined, MAYROS_GATEWAY_PASSWORD: undefined, MAYROS_GATEWAY_PORT: undefined },
  });
  return ready(child);
}

/**
 * @param {string} body the exact JSON body the bare server answers with (the gateway's own)
 * @param {string} [transport] `unix:<path>`, or `tls:<cert>,<key>,<client CA>`; default TCP on loopback
 */
export function startBareHttp(body, transport) {
  return ready(new Child('bare-http', process.execPath, [...NODE_FLAGS, server('bare-http.js'), body, ...(transport ? [transport] : [])], { ipc: true }));
}

export function startBareWs() {
  return ready(new Child('bare-ws', process.execPath, [...NODE_FLAGS, server('bare-ws.js')], { ipc: true }));
}

/**
 * A load-generator process (bench/clients/<name>).
 * @param {string} name
 */
export function startClient(name) {
  return new Child(name, process.execPath, [fileURLToPath(new URL(`../clients/${name}`, import.meta.url))], { ipc: true });
}

/**
 * Runs `fn` and returns its result with the server's CPU time (user + system, microseconds) spent
 * meanwhile: the intrinsic cost per request, which other processes on the machine do not inflate.
 * @template T
 * @param {Child} server
 * @param {() => Promise<T>} fn
 * @returns {Promise<T & { serverCpuUs: number }>}
 */
export async function withServerCpu(server, fn) {
  const a = await server.request('cpu', {}, 10_000);
  const r = await fn();
  const b = await server.request('cpu', {}, 10_000);
  return { ...r, serverCpuUs: b.user - a.user + (b.system - a.system) };
}
