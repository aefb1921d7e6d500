/**
 * `mayros config path|get|validate`
 */
import type { Command } from 'commander';
import { loadConfig, loadConfigForStartup, resolveConfigPath } from '../config/load.js';
import { getPath } from '../config/tree.js';
import { isSecretPath, redactSecrets } from '../config/secrets.js';
import { sourceOf } from '../config/sources.js';
import { withStoredToken } from '../security/run.js';

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('inspect and check the configuration');

  config
    .command('path')
    .description('print the config file path in use (--config > MAYROS_CONFIG_PATH > $MAYROS_STATE_DIR/mayros.json)')
    .option('-c, --config <path>', 'config file')
    .action((opts: { config?: string }) => {
      process.stdout.write(`${resolveConfigPath(opts.config, process.env)}\n`);
    });

  config
    .command('get')
    .description('print a value (or the whole config) with defaults applied; secrets are never shown')
    .argument('[key]', 'dotted path, e.g. gateway.auth.mode')
    .option('-c, --config <path>', 'config file')
    .option('--json', 'print JSON only')
    .action((key: string | undefined, opts: { config?: string; json?: boolean }) => {
      // As the gateway would run it: a token kept in the state directory is in force ("generated").
      const resolved = withStoredToken(loadConfig({ configPath: opts.config, requireNamedFile: true }));
      const path = key ?? '';
      const value = path ? getPath(resolved.config, path) : resolved.config;
      if (path && value === undefined && !isSecretPath(path)) {
        process.stderr.write(`mayros: no value at "${path}"\n`);
        process.exitCode = 1;
        return;
      }
      const shown = redactSecrets(path, value);
      if (opts.json || !path) {
        process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
        return;
      }
      const source = sourceOf(value, path, resolved.sources);
      process.stdout.write(`${typeof shown === 'string' ? shown : JSON.stringify(shown)}  (${source})\n`);
    });

  config
    .command('validate')
    .description('check the config as `gateway run` would; exits 2 with the field and the fix when invalid')
    .option('-c, --config <path>', 'config file')
    .action((opts: { config?: string }) => {
      const resolved = loadConfigForStartup({ configPath: opts.config, requireNamedFile: true });
      const where = resolved.fileFound ? resolved.file : `${resolved.file} (not found: defaults)`;
      process.stdout.write(`config ok: ${where} (auth: ${resolved.config.gateway.auth.mode}, bind: ${resolved.config.gateway.bind})\n`);
    });
}
