/**
 * `mayros gateway run|status`
 */
import type { Command } from 'commander';
import { loadConfigForStartup } from '../config/load.js';
import { ensureToken } from '../config/token-store.js';
import type { LogFormat } from '../gateway/log.js';
import { oneOf, parsePort } from './options.js';
import { status, type StatusOptions } from './status.js';

interface RunOptions {
  config?: string;
  port?: number;
  bind?: 'loopback' | 'lan' | 'custom';
  logFormat: LogFormat;
  /** commander's --no-watch */
  watch: boolean;
}

async function run(opts: RunOptions): Promise<void> {
  // Loaded here, not at the top: every other command (config, audit) starts faster without the
  // server, ws and pino (see docs/performance.md).
  const [{ createLogger }, { startGateway }] = await Promise.all([import('../gateway/log.js'), import('../gateway/server.js')]);
  const logger = createLogger(opts.logFormat);
  const loadOptions = { configPath: opts.config, flags: { port: opts.port, bind: opts.bind } };
  const loaded = loadConfigForStartup({ ...loadOptions, requireNamedFile: true });
  if (!loaded.fileFound) logger.info({ file: loaded.file }, 'no config file found; using defaults');
  const { resolved, file: tokenFile, generated } = ensureToken(loaded);
  // Installed before listening: SIGHUP's default action would kill the process. One that arrives
  // during startup needs nothing: the config was just read.
  let reload: (() => void) | undefined;
  process.on('SIGHUP', () => reload?.());
  const gw = await startGateway({ resolved, logger, loadOptions, watchConfig: opts.watch });
  reload = () => void gw.reload('SIGHUP');
  const mode = resolved.config.gateway.auth.mode;
  process.stdout.write(`mayros gateway listening on ${gw.urls[0]} (auth: ${mode})\n`);
  if (gw.urls.length > 1) logger.info({ urls: gw.urls }, 'also listening');
  if (tokenFile) {
    if (generated) {
      // Printed once, on the run that created it; the fragment never reaches server logs.
      process.stdout.write(`Control UI (token generated, shown once): ${gw.urls[0]}/#token=${resolved.config.gateway.auth.token}\n`);
      logger.info({ tokenFile }, 'generated a gateway token');
    } else {
      logger.info({ tokenFile }, 'using the gateway token kept in the state directory');
    }
  }
  if (mode === 'trusted-proxy') {
    logger.warn({ trustedProxies: resolved.config.gateway.trustedProxies.length }, 'trusted-proxy mode: authentication is delegated to your proxy; run `mayros security audit`');
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    gw.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

export function registerGatewayCommands(program: Command): void {
  const gateway = program.command('gateway').description('run or probe the gateway');

  gateway
    .command('run')
    .description('run the gateway in the foreground (logs on stderr, one "listening" line on stdout)')
    .option('-c, --config <path>', 'config file (default: MAYROS_CONFIG_PATH, then $MAYROS_STATE_DIR/mayros.json)')
    .option('-p, --port <port>', 'port to listen on; 0 picks a free port', parsePort)
    .option('-b, --bind <bind>', 'loopback | lan | custom', oneOf(['loopback', 'lan', 'custom'] as const))
    .option('--log-format <format>', 'json | pretty', oneOf(['json', 'pretty'] as const), 'json')
    .option('--no-watch', 'do not watch the config file (SIGHUP still reloads it)')
    .action((opts: RunOptions) => run(opts));

  gateway
    .command('status')
    .description('probe a running gateway: reachable, ready, config generation, who it takes you for, its status; and what it could not learn, and why')
    .option('-c, --config <path>', 'config file, for the default URL and token')
    .option('--url <url>', 'gateway URL (default: from the config)')
    .option('--token <token>', 'token (or password) to send (default: MAYROS_GATEWAY_TOKEN, the config, or the stored token)')
    .option('-H, --header <header>', '"Name: value" to send with every probe, e.g. the identity header a trusted proxy sets; repeat for more', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--json', 'print JSON')
    .action((opts: StatusOptions) => status(opts));
}
