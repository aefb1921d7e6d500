/**
 * `mayros security audit`
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { ResolvedConfig } from '../config/load.js';
import { atLeast, finding, toReport, type AuditReport, type Finding, type Severity } from '../security/findings.js';
import { loadForAudit } from '../security/run.js';
import { oneOf } from './options.js';
import { defaultUrl } from './url.js';
import { createStyle, colorEnabled, type Style } from './style.js';

interface AuditOptions {
  config?: string;
  json?: boolean;
  deep?: boolean;
  url?: string;
  failOn?: 'warn' | 'critical';
}

function parseUrl(value: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new InvalidArgumentError('expected a URL such as http://127.0.0.1:18789');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new InvalidArgumentError('expected an http:// or https:// URL');
  return u.origin;
}

const LABEL: Readonly<Record<Severity, string>> = { critical: 'CRITICAL', warn: 'WARN', info: 'INFO' };

function paint(style: Style, severity: Severity, text: string): string {
  return severity === 'critical' ? style.red(style.bold(text)) : severity === 'warn' ? style.yellow(text) : style.cyan(text);
}

/** The human-readable report. Reads the same with colour off: colour only repeats the labels. */
export function renderAuditText(report: AuditReport, subject: string, style: Style): string {
  const s = report.summary;
  const lines = [style.bold(`Security audit of ${subject}`), `${s.critical} critical, ${s.warn} warn, ${s.info} info`, ''];
  for (const f of report.findings) {
    lines.push(`${paint(style, f.severity, LABEL[f.severity].padEnd(8))}  ${style.bold(f.checkId)}`);
    lines.push(`  ${f.title}`);
    lines.push(`  Found: ${f.detail.replace(/\n/g, '\n         ')}`);
    lines.push(`  Fix:   ${f.remediation}`);
    lines.push('');
  }
  if (!report.findings.length) lines.push('No findings.', '');
  return lines.join('\n');
}

async function deepFindings(url: string | undefined, resolved: ResolvedConfig | undefined): Promise<Finding[]> {
  const target = url ?? (resolved && defaultUrl(resolved));
  if (!target) {
    const why = resolved ? 'gateway.port is 0 (the gateway picks a free port when it starts)' : 'the config could not be read';
    return [
      finding(
        'gateway.deep_unreachable',
        'warn',
        'The running gateway could not be probed',
        `No URL to probe: ${why}.`,
        'Pass --url with the address the gateway listens on (its "listening" line, or `mayros gateway status`).',
      ),
    ];
  }
  // Loaded only for --deep: plain audits stay fast to start.
  const { probeGateway } = await import('../security/probe.js');
  return probeGateway({ url: target, expectedMode: resolved?.config.gateway.auth.mode, localUrl: resolved && defaultUrl(resolved) });
}

async function audit(opts: AuditOptions): Promise<void> {
  const loaded = loadForAudit({ configPath: opts.config, requireNamedFile: true });
  const findings = [...loaded.findings];
  if (opts.deep || opts.url) findings.push(...(await deepFindings(opts.url, loaded.ok ? loaded.resolved : undefined)));
  const report = toReport(findings);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const subject = loaded.ok ? loaded.resolved.file : (loaded.error.file ?? 'the configuration');
    process.stdout.write(renderAuditText(report, subject, createStyle(colorEnabled(process.stdout))));
  }
  if (opts.failOn && report.findings.some((f) => atLeast(f.severity, opts.failOn!))) process.exitCode = 1;
}

export function registerSecurityCommands(program: Command): void {
  const security = program.command('security').description('check the configuration for risks');

  security
    .command('audit')
    .description('list risky settings, most severe first, each with a stable checkId and the fix (works on configs the gateway would refuse)')
    .option('-c, --config <path>', 'config file (default: MAYROS_CONFIG_PATH, then $MAYROS_STATE_DIR/mayros.json)')
    .option('--json', 'print {"summary","findings"} as JSON and nothing else')
    .option('--deep', 'also probe the running gateway: reachable, auth mode, anonymous requests refused')
    .option('--url <url>', 'gateway to probe (implies --deep; default: from the config, http://127.0.0.1:<port>)', parseUrl)
    .option('--fail-on <severity>', 'exit 1 when a finding at or above this severity exists: warn | critical', oneOf(['warn', 'critical'] as const))
    .action((opts: AuditOptions) => audit(opts));
}
