/**
 * Figure 5: start-up. Time from spawning `mayros gateway run` to its listening line, and the wall
 * time of `mayros security audit`, each against `node -e ""` (the cost of starting Node at all).
 * Until the audit command exists, `mayros config validate` stands in, and the table says so.
 */
import { Child, timeCommand } from '../lib/proc.js';
import { MAYROS_BIN, getMeasuredNode } from '../lib/servers.js';
import { median } from '../lib/stats.js';

/** True when this build of the CLI has `security audit` (commander lists it in `security --help`). */
async function hasAudit(env) {
  const { stdout } = await timeCommand(getMeasuredNode(), [MAYROS_BIN, '--help'], { env, timeoutMs: 15_000 });
  if (!/^\s+security\b/m.test(stdout)) return false;
  const sub = await timeCommand(getMeasuredNode(), [MAYROS_BIN, 'security', '--help'], { env, timeoutMs: 15_000 });
  return /^\s+audit\b/m.test(sub.stdout);
}

/** @param {import('../run.js').Context} ctx */
export async function run(ctx) {
  const { ws, sizes } = ctx;
  const env = { ...process.env, MAYROS_STATE_DIR: ws.stateDir, MAYROS_CONFIG_PATH: undefined, MAYROS_GATEWAY_PORT: undefined };
  const audit = await hasAudit(env);
  const checkArgs = audit ? ['security', 'audit', '--config', ws.configPath] : ['config', 'validate', '--config', ws.configPath];
  const checkName = audit ? 'security audit' : 'config validate (stand-in: no security audit yet)';

  const nodeBin = getMeasuredNode();
  const node = [];
  const listen = [];
  const check = [];
  for (let i = 0; i < sizes.startupRounds; i++) {
    node.push((await timeCommand(nodeBin, ['-e', ''], { env, timeoutMs: 15_000 })).ms);
    const gw = new Child('gateway run', nodeBin, [MAYROS_BIN, 'gateway', 'run', '--config', ws.configPath, '--port', '0'], { env });
    try {
      listen.push((await gw.waitForLine(/listening on http:\/\/127\.0\.0\.1:\d+/, 15_000)).ms);
    } finally {
      await gw.stop();
    }
    check.push((await timeCommand(nodeBin, [MAYROS_BIN, ...checkArgs], { env, timeoutMs: 15_000 })).ms);
  }
  const n = median(node);
  const l = median(listen);
  const c = median(check);
  return {
    id: '5-startup',
    title: 'Start-up wall time against `node -e ""`',
    rows: [
      { metric: 'gateway run -> listening line', unit: 'ms', gateway: l, baseline: n, ratio: l / n, target: '< 400 ms above', pass: l - n < 400 },
      { metric: checkName, unit: 'ms', gateway: c, baseline: n, ratio: c / n, target: '< 300 ms above', pass: c - n < 300 },
    ],
    details: { rounds: sizes.startupRounds, nodeMs: node, listenMs: listen, checkMs: check, checkCommand: checkArgs.slice(0, 2).join(' '), auditAvailable: audit },
    note: `median of ${sizes.startupRounds} round(s); "above" = gateway minus baseline${audit ? '' : '; security audit is not on this branch yet, so config validate is timed in its place'}`,
  };
}
