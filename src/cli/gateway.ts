/**
 * `mayros gateway run|url|status`
 */
import type { Command } from 'commander';
import { loadConfigForStartup } from '../config/load.js';
import { ensureToken, saveGeneratedToken } from '../config/token-store.js';
import type { LogFormat } from '../gateway/log.js';
import { oneOf, parsePort } from './options.js';
import { colorEnabled } from './style.js';
import { status, type StatusOptions } from './status.js';
import { printUrl, type UrlOptions } from './url.js';

interface RunOptions {
  config?: string;
  port?: number;
  bind?: 'loopback' | 'lan' | 'custom' | 'none';
  /** Unset: pretty when stderr is a terminal, else JSON. */
  logFormat?: LogFormat;
  /** commander's --no-watch */
  watch: boolean;
}

/**
 * A failure to listen as one sentence with the fix (the port in use, a privileged port, an
 * address not on this host), or undefined for anything else.
 */
export function listenFailure(err: unknown): string | undefined {
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  if (e?.syscall !== 'listen' && e?.syscall !== 'bind') return undefined;
  const where = e.address ? `${e.address.includes(':') ? `[${e.address}]` : e.address}:${e.port}` : `port ${e.port}`;
  switch (e.code) {
    case 'EADDRINUSE':
      return `port ${e.port} is already in use on ${e.address ?? 'this host'} (another gateway, or another program, listens there): stop that process, or choose another port with --port <n> (or gateway.port, MAYROS_GATEWAY_PORT; 0 picks a free one)`;
    case 'EACCES':
      return `not allowed to listen on ${where}: ports below 1024 need privileges; choose a port from 1024 up with --port <n> (or gateway.port), and let a proxy serve 80/443`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${where}: that address does not belong to this host; correct gateway.customBindHost, or use --bind loopback or lan`;
    default:
      return undefined;
  }
}

async function run(opts: RunOptions): Promise<void> {
  // Loaded here, not at the top: every other command (config, audit) starts faster without the
  // server, ws and pino (see docs/performance.md).
  const [{ createLogger, defaultLogFormat }, { startGateway }, { LogRing }] = await Promise.all([import('../gateway/log.js'), import('../gateway/server.js'), import('../logs/ring.js')]);
  // The same lines, redacted, also kept in memory for the console's Logs view (logs.tail).
  const logRing = new LogRing();
  const logger = createLogger(opts.logFormat ?? defaultLogFormat(process.stderr), { colorize: colorEnabled(process.stderr), ring: logRing });
  const loadOptions = { configPath: opts.config, flags: { port: opts.port, bind: opts.bind } };
  const loaded = loadConfigForStartup({ ...loadOptions, requireNamedFile: true });
  if (!loaded.fileFound) logger.info({ file: loaded.file }, 'no config file found; using defaults');
  // A new token is written only once the gateway listens: a first run that cannot listen leaves
  // none behind, so the next run generates one again and shows its link.
  const tokenOutcome = ensureToken(loaded, { defer: true });
  let { resolved, generated } = tokenOutcome;
  const tokenFile = tokenOutcome.file;
  // Installed before listening: SIGHUP's default action would kill the process. One that arrives
  // during startup needs nothing: the config was just read.
  let reload: (() => void) | undefined;
  process.on('SIGHUP', () => reload?.());
  let gw: Awaited<ReturnType<typeof startGateway>>;
  try {
    gw = await startGateway({ resolved, logger, logRing, loadOptions, watchConfig: opts.watch });
  } catch (err) {
    const sentence = listenFailure(err);
    if (sentence) throw new Error(sentence);
    throw err;
  }
  // Installed before the "listening" line: a supervisor (or a test) may send SIGTERM the moment it
  // reads it, and SIGTERM's default action would kill the process without a clean shutdown.
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
  if (tokenOutcome.unsaved !== undefined) {
    let saved: 'written' | 'exists';
    try {
      saved = saveGeneratedToken(resolved, tokenOutcome.unsaved);
    } catch (err) {
      await gw.close(0);
      throw err;
    }
    if (saved === 'exists') {
      // Another first run saved its token while this one started: put that one in force, so the
      // state directory and this gateway agree (a reload reads the stored token).
      await gw.reload('api');
      resolved = gw.ctx.generation.resolved;
      generated = false;
    }
  }
  reload = () => void gw.reload('SIGHUP');
  const mode = resolved.config.gateway.auth.mode;
  process.stdout.write(`mayros gateway listening on ${gw.urls[0]} (auth: ${mode})\n`);
  if (gw.urls.length > 1) logger.info({ urls: gw.urls }, 'also listening');
  if (tokenFile) {
    if (generated && process.stdout.isTTY) {
      // Printed once, on the run that created it, and only to a terminal (not into a log file);
      // the fragment never reaches server logs.
      process.stdout.write(`Control UI (token generated, shown once; \`mayros gateway url\` prints it again): ${gw.urls[0]}/#token=${resolved.config.gateway.auth.token}\n`);
      logger.info({ tokenFile }, 'generated a gateway token and kept it in the state directory');
    } else if (generated) {
      logger.info({ tokenFile }, 'generated a gateway token and kept it in the state directory; stdout is not a terminal, so the Control UI link carrying it was not printed: run `mayros gateway url` as this user to print it');
    } else {
      logger.info({ tokenFile }, 'using the gateway token kept in the state directory (`mayros gateway url` prints the Control UI link)');
    }
  }
  if (mode === 'none') {
    logger.warn({ mode }, 'auth mode "none": every client that can reach this port is admitted without credentials (on loopback: every local process, of every user); set gateway.auth.mode to "token" or "trusted-proxy"');
  }
  if (mode === 'trusted-proxy') {
    logger.warn({ trustedProxies: resolved.config.gateway.trustedProxies.length }, 'trusted-proxy mode: authentication is delegated to your proxy; run `mayros security audit`');
  }
}

export function registerGatewayCommands(program: Command): void {
  const gateway = program.command('gateway').description('run or probe the gateway');

  gateway
    .command('run')
    .description('run the gateway in the foreground (logs on stderr, one "listening" line on stdout)')
    .option('-c, --config <path>', 'config file (default: MAYROS_CONFIG_PATH, then $MAYROS_STATE_DIR/mayros.json)')
    .option('-p, --port <port>', 'port to listen on; 0 picks a free port', parsePort)
    .option('-b, --bind <bind>', 'loopback | lan | custom | none (only gateway.listen.unixSocket)', oneOf(['loopback', 'lan', 'custom', 'none'] as const))
    .option('--log-format <format>', 'json | pretty (default: pretty when stderr is a terminal, else json)', oneOf(['json', 'pretty'] as const))
    .option('--no-watch', 'do not watch the config file (SIGHUP still reloads it)')
    .action((opts: RunOptions) => run(opts));

  gateway
    .command('url')
    .description('print the Control UI link again; with a generated token it carries the token, for the owner of the token file only')
    .option('-c, --config <path>', 'config file, for the port, the auth mode and the state directory')
    .option('--url <url>', 'the gateway\'s base URL (default: http://127.0.0.1:<port> from the config)')
    .action((opts: UrlOptions) => printUrl(opts));

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
