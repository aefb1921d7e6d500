/**
 * `mayros auth explain`
 */
import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { withStoredToken } from '../security/run.js';
import type { Explanation, StepResult } from '../explain/types.js';
import { describeGrantSource } from '../explain/scopes.js';
import { createStyle, colorEnabled, type Style } from './style.js';

interface ExplainOptions {
  from?: string;
  unix?: boolean;
  clientCert?: string;
  header: string[];
  bearer?: string;
  config?: string;
  json?: boolean;
}

const MARK: Readonly<Record<StepResult, string>> = { pass: '[pass]', fail: '[FAIL]', 'not-reached': '[skip]', note: '[note]' };

function mark(style: Style, r: StepResult): string {
  const m = MARK[r];
  return r === 'pass' ? style.green(m) : r === 'fail' ? style.red(style.bold(m)) : r === 'not-reached' ? style.dim(m) : style.cyan(m);
}

/** The human-readable explanation. Reads the same with colour off: colour only repeats the marks. */
export function renderExplanation(e: Explanation, style: Style): string {
  const lines = [style.bold(`How the gateway configured by ${e.file} (auth mode "${e.mode}") decides this request`)];
  if (e.startupIssues.length) {
    lines.push(style.yellow('Note: the gateway would refuse to start with this config:'));
    for (const i of e.startupIssues) lines.push(`  ${i.path || '(root)'}: ${i.message}`);
    lines.push('  Explained anyway, with the rules as written.');
  }
  const r = e.request;
  lines.push('', r.transport === 'unix' ? `Request on ${r.from}` : `Request from ${r.from} over ${r.transport === 'tls' ? 'TLS' : 'plain TCP'}`);
  if (r.transport === 'tls') lines.push(`  client certificate: ${r.clientCert ?? 'none presented'}`);
  for (const [name, v] of Object.entries(e.request.headers)) {
    for (const value of Array.isArray(v) ? v : [v]) lines.push(`  ${name}: ${value}`);
  }
  if (!Object.keys(e.request.headers).length) lines.push('  (no headers)');
  lines.push(`  bearer credential: ${e.request.bearer === 'presented' ? 'presented (hidden)' : 'none'}`);

  lines.push('', 'Steps');
  const width = Math.max(...e.steps.map((s) => s.step.length));
  for (const s of e.steps) lines.push(`  ${mark(style, s.result)} ${s.step.padEnd(width)}  ${s.detail}`);

  const o = e.outcome;
  lines.push('');
  if (o.ok) {
    lines.push(`Outcome: ${style.green(style.bold('ADMITTED'))}${o.user ? ` as "${o.user}"` : ''} (method ${o.method})`);
    lines.push(`  HTTP:      ${o.http.status}`);
    if (o.scopes) {
      lines.push(`  Scopes:    ${o.scopes.length ? o.scopes.join(', ') : 'none (admitted, may do nothing)'}`);
      const w = Math.max(0, ...o.scopes.map((s) => s.length));
      for (const scope of o.scopes) {
        const from = (o.grants ?? []).filter((g) => g.scope === scope).map((g) => describeGrantSource(g, o.defaultScopesFrom ?? 'mode', e.mode));
        lines.push(`    ${scope.padEnd(w)}  from ${from.join('; ')}`);
      }
    }
  } else {
    lines.push(`Outcome: ${style.red(style.bold('REFUSED'))} ${style.bold(o.code ?? '')}`);
    lines.push(`  HTTP:      ${o.http.status} (${o.http.errorType}), error.reason "${o.code}"`);
  }
  const ws = o.websocket;
  if (ws.admitted) lines.push('  WebSocket: the session opens (hello-ok)');
  else if (ws.stage === 'upgrade') lines.push(`  WebSocket: closed right after the upgrade with ${ws.closeCode} "${ws.code}"`);
  else lines.push(`  WebSocket: connect answered UNAUTHORIZED (reason "${ws.code}"), then closed with ${ws.closeCode}`);
  if (!o.ok) {
    lines.push(`  Meaning:   ${o.message}`, `  Fix:       ${o.fix}`, `  Docs:      ${o.docs}`);
  } else if (ws.code) {
    lines.push(`  Docs:      docs/troubleshooting.md#${ws.code} (the WebSocket refusal)`);
  }
  return `${lines.join('\n')}\n`;
}

async function explain(opts: ExplainOptions): Promise<void> {
  // Loaded here, not at the top: they pull in the decision modules and jose, which every other
  // command would otherwise load at start-up (docs/performance.md).
  const [{ explainRequest }, { explainAssertion }, { ExplainInputError }] = await Promise.all([import('../explain/explain.js'), import('../explain/assertion.js'), import('../explain/input.js')]);
  // Schema only: a config the gateway would refuse at startup can still be explained.
  const resolved = withStoredToken(loadConfig({ configPath: opts.config, requireNamedFile: true }));
  const req = { from: opts.from, unix: opts.unix, clientCert: opts.clientCert, headers: opts.header, bearer: opts.bearer };
  let e: Explanation;
  try {
    // A signed assertion is verified with the proxy's real keys, as the gateway would.
    e = explainRequest(resolved, req, await explainAssertion(resolved, req));
  } catch (err) {
    if (!(err instanceof ExplainInputError)) throw err;
    process.stderr.write(`mayros: ${err.message}\n`);
    process.exitCode = 2;
    return;
  }
  if (opts.json) process.stdout.write(`${JSON.stringify(e, null, 2)}\n`);
  else process.stdout.write(renderExplanation(e, createStyle(colorEnabled(process.stdout))));
}

export function registerAuthCommands(program: Command): void {
  const auth = program.command('auth').description('understand authentication decisions');

  auth
    .command('explain')
    .description('run the gateway\'s decision on a described request and print every step, the reason code, and the HTTP status / WebSocket close code')
    .option('--from <ip>', 'the address the request reaches the gateway from (the TCP peer, e.g. your proxy); required unless --unix')
    .option('--unix', 'the request arrives on the gateway\'s Unix socket (gateway.listen.unixSocket): no address, no TLS')
    .option('--client-cert <file>', 'a PEM file with the TLS client certificate the request presents (and any intermediates after it), checked against gateway.tls.clientCa')
    .option('-H, --header <header>', '"Name: value"; repeat for more headers (a repeated name is sent twice)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--bearer <secret>', 'a token or password sent as "Authorization: Bearer"; never printed')
    .option('-c, --config <path>', 'config file (default: MAYROS_CONFIG_PATH, then $MAYROS_STATE_DIR/mayros.json)')
    .option('--json', 'print the explanation as JSON and nothing else')
    .action((opts: ExplainOptions) => explain(opts));
}
