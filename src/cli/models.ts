/**
 * `mayros models list`: each configured model server, whether it answers `GET {baseUrl}/models`,
 * the models it offers, and configured models it does not. Keys are read from the environment the
 * way the gateway reads them, and never printed.
 */
import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import type { ModelsConfig } from '../config/models-schema.js';
import type { ProviderStatus } from '../models/list.js';
import { colorEnabled, createStyle, type Style } from './style.js';

interface ListOptions {
  config?: string;
  json?: boolean;
}

/** The config lines to add when there is no models section. */
export const MODELS_EXAMPLE = `models: {
  providers: { local: { baseUrl: "http://127.0.0.1:11434/v1", models: ["llama3.2"] } },
  default: "local/llama3.2",
}`;

export interface ModelsReport {
  configured: boolean;
  default: string | null;
  providers: ProviderStatus[];
  /** Keys named by an environment variable that is unset: field, problem, fix. */
  issues: { path: string; message: string; fix?: string }[];
}

export function renderModels(r: ModelsReport, file: string, style: Style): string {
  if (!r.configured) return `No model server is configured in ${file}. Add, for a server on this machine (Ollama here):\n\n${MODELS_EXAMPLE}\n`;
  const lines: string[] = [];
  for (const p of r.providers) {
    const state = p.ok ? style.green('answers') : p.reachable ? style.red('refuses') : style.red('NOT reachable');
    lines.push(`${p.provider}  ${p.baseUrl}  ${state}${p.reason ? ` (${p.reason}: ${p.detail ?? ''})` : ''}`);
    for (const m of p.configured) {
      const ref = `${p.provider}/${m}`;
      const mark = !p.ok ? '?' : p.missing?.includes(m) ? style.red('not offered') : 'offered';
      lines.push(`  ${ref}${ref === r.default ? ' (default)' : ''}  ${mark}`);
    }
    const others = (p.offered ?? []).filter((m) => !p.configured.includes(m));
    if (others.length) lines.push(`  also offered, not configured: ${others.join(', ')}`);
  }
  for (const i of r.issues) lines.push(`${style.yellow('warning')}: ${i.path} ${i.message}; fix: ${i.fix ?? 'set it'}`);
  return `${lines.join('\n')}\n`;
}

async function list(opts: ListOptions): Promise<void> {
  const resolved = loadConfig({ configPath: opts.config, requireNamedFile: true });
  const models: ModelsConfig | undefined = resolved.config.models;
  // Loaded here: the openai SDK only for this command.
  const [{ listAllModels }, { envKeyIssues }] = await Promise.all([import('../models/list.js'), import('../models/resolve.js')]);
  const report: ModelsReport = models
    ? { configured: true, default: models.default, providers: await listAllModels(models, process.env), issues: envKeyIssues(models, process.env) }
    : { configured: false, default: null, providers: [], issues: [] };
  if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(renderModels(report, resolved.file, createStyle(colorEnabled(process.stdout))));
  if (!report.configured || report.providers.some((p) => !p.ok)) process.exitCode = 1;
}

export function registerModelsCommands(program: Command): void {
  const models = program.command('models').description('the model servers chat uses');
  models
    .command('list')
    .description('each provider: whether it answers GET {baseUrl}/models, its models, configured ones it lacks (exit 1 if one does not answer, or none is configured)')
    .option('-c, --config <path>', 'config file (default: MAYROS_CONFIG_PATH, then $MAYROS_STATE_DIR/mayros.json)')
    .option('--json', 'print {"configured","default","providers","issues"} as JSON and nothing else')
    .action((opts: ListOptions) => list(opts));
}
