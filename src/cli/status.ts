/**
 * `mayros gateway status`: probes a running gateway (src/probe/status.ts) and prints what it
 * learned, and what it could not learn and why.
 */
import { loadConfig, ENV } from '../config/load.js';
import { readStoredToken } from '../config/token-store.js';
import { isLoopbackBind } from '../config/validate.js';
import type { StatusReport } from '../probe/status.js';

export interface StatusOptions {
  config?: string;
  url?: string;
  token?: string;
  header: string[];
  json?: boolean;
}

function duration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.floor(s / 60)} min`;
  return `${Math.floor(s / 3600)} h`;
}

/** The human-readable report. */
export function renderStatus(r: StatusReport): string {
  const lines: string[] = [];
  const ready = r.ready === undefined ? '' : r.ready ? ', ready' : `, NOT ready${r.notReadyReason ? ` (${r.notReadyReason})` : ''}`;
  lines.push(`gateway ${r.url}: ${r.reachable ? `reachable${ready}` : 'NOT reachable'}`);
  if (r.error) lines.push(`  error: ${r.error}`);
  if (r.config) {
    const pending = r.config.pendingRestart?.length ? `; restart needed to apply ${r.config.pendingRestart.join(', ')}` : '';
    lines.push(`  config generation: ${r.config.generation}${r.config.loadedAt ? ` (in force since ${r.config.loadedAt})` : ''}${pending}`);
  }
  if (r.whoami) {
    const groups = r.whoami.groups?.length ? `, groups ${r.whoami.groups.join(', ')}` : '';
    const scopes = r.whoami.scopes ? `; scopes: ${r.whoami.scopes.length ? r.whoami.scopes.join(', ') : 'none'}` : '';
    lines.push(`  identity: ${r.whoami.user ?? '(no user name)'} via ${r.whoami.method}${groups}${scopes}`);
  }
  if (r.refused) {
    const how = r.refused.status ? ` (HTTP ${r.refused.status})` : r.refused.closeCode ? ` (close ${r.refused.closeCode})` : '';
    lines.push(`  refused: ${r.refused.reason}${how}${r.refused.message ? `: ${r.refused.message}` : ''}`);
  }
  const s = r.status as { version?: string; authMode?: string; bind?: string; uptimeMs?: number; clients?: number } | undefined;
  if (s) {
    lines.push(`  version ${s.version ?? '?'}, auth ${s.authMode ?? '?'}, bind ${s.bind ?? '?'}, up ${typeof s.uptimeMs === 'number' ? duration(s.uptimeMs) : '?'}, ${s.clients ?? '?'} client(s) connected`);
  }
  for (const n of r.notLearned) {
    lines.push(`  not learned: ${n.what}`, `    why: ${n.why}`);
  }
  return `${lines.join('\n')}\n`;
}

export async function status(opts: StatusOptions): Promise<void> {
  // Loaded here: they pull in ws and the explain module only for this command.
  const [{ probeStatus }, { ExplainInputError, parseHeaderArgs }] = await Promise.all([import('../probe/status.js'), import('../explain/input.js')]);
  let headers: Record<string, string | string[]>;
  try {
    headers = parseHeaderArgs(opts.header);
  } catch (err) {
    if (!(err instanceof ExplainInputError)) throw err;
    process.stderr.write(`mayros: ${err.message}\n`);
    process.exitCode = 2;
    return;
  }
  let url = opts.url;
  let secret = opts.token ?? process.env[ENV.token];
  if (!url || !secret) {
    const resolved = loadConfig({ configPath: opts.config, requireNamedFile: true });
    const g = resolved.config.gateway;
    const host = g.bind === 'custom' && g.customBindHost && !isLoopbackBind(resolved.config) ? g.customBindHost : '127.0.0.1';
    url ??= `http://${host.includes(':') ? `[${host}]` : host}:${g.port}`;
    // The secret the gateway runs with in token or password mode; none for the others.
    if (g.auth.mode === 'token') secret ??= g.auth.token ?? readStoredToken(resolved.stateDir);
    else if (g.auth.mode === 'password') secret ??= g.auth.password;
  }
  const report = await probeStatus({ url, secret, headers });
  process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : renderStatus(report));
  if (!report.reachable) process.exitCode = 1;
}
