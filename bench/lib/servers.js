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

/**
 * The node binary of everything measured: the gateway, the baselines, the decision loop and the
 * start-up commands. `--node PATH` changes it; the load generators stay on the benchmark's own node,
 * so runs on two runtimes drive the servers with the same clients.
 */
let measuredNode = process.execPath;
let measuredVersion = process.version;

/**
 * @param {string} path an absolute path to a node binary that runs (checked by bench/run.js)
 * @param {string} version what it reports as process.version
 */
export function useMeasuredNode(path, version) {
  measuredNode = path;
  measuredVersion = version;
}

export function getMeasuredNode() {
  return measuredNode;
}

/**
 * Fails unless `child` (a server with the probe, or a bench/lib/worker.js client) runs on the
 * measured node: a figure must never quietly measure another runtime.
 * @param {Child} child
 */
export async function checkMeasuredNode(child) {
  const version = await child.request('version', {}, 10_000);
  if (version !== measuredVersion) throw new Error(`${child.name} runs on Node ${version}, not the measured ${measuredVersion} (${measuredNode})`);
}
const NODE_FLAGS = ['--expose-gc', '--import', PROBE];

/**
 * @param {Child} child
 * @returns {Promise<{ child: Child, url: string }>}
 */
async function ready(child) {
  try {
    const { match } = await child.waitForLine(LISTENING, 15_000);
    await checkMeasuredNode(child);
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
  const child = new Child('gateway', measuredNode, [...NODE_FLAGS, MAYROS_BIN, 'gateway', 'run', '--config', configPath, '--port', '0'], {
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
  return ready(new Child('bare-http', measuredNode, [...NODE_FLAGS, server('bare-http.js'), body, ...(transport ? [transport] : [])], { ipc: true }));
}

/** Figure 6's OpenAI-compatible model server (bench/servers/model-stub.js). */
export function startModelStub() {
  return ready(new Child('model-stub', measuredNode, [...NODE_FLAGS, server('model-stub.js')], { ipc: true }));
}

/** Figure 6's floor for a relay (bench/servers/bare-relay.js), reading the model at `baseUrl`. */
export function startBareRelay(baseUrl) {
  return ready(new Child('bare-relay', measuredNode, [...NODE_FLAGS, server('bare-relay.js'), baseUrl], { ipc: true }));
}

export function startBareWs() {
  return ready(new Child('bare-ws', measuredNode, [...NODE_FLAGS, server('bare-ws.js')], { ipc: true }));
}

/**
 * A process running bench/clients/<name>: a load generator on the benchmark's own node, or, with
 * `measured`, code of the gateway's measured in its own process (the decision loop) on the measured node.
 * @param {string} name
 * @param {{ measured?: boolean }} [opts]
 */
export function startClient(name, opts = {}) {
  return new Child(name, opts.measured ? measuredNode : process.execPath, [fileURLToPath(new URL(`../clients/${name}`, import.meta.url))], { ipc: true });
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
