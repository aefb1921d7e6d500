/**
 * `mayros gateway run|status`
 */
import type { Command } from 'commander';
import { loadConfig, loadConfigForStartup, ENV } from '../config/load.js';
import { ensureToken, readStoredToken } from '../config/token-store.js';
import type { LogFormat } from '../gateway/log.js';
import { isLoopbackBind } from '../config/validate.js';
import { oneOf, parsePort } from './options.js';

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

interface StatusOptions {
  config?: string;
  url?: string;
  token?: string;
  json?: boolean;
}

async function fetchJson(url: string, headers: Record<string, string>): Promise<{ status: number; body: unknown }> {
  const { httpGet } = await import('../probe/http-get.js');
  const res = await httpGet(url, { headers, timeoutMs: 5000 });
  return { status: res.status, body: res.json ?? res.text };
}

async function wsStatus(url: string, token: string | undefined): Promise<unknown> {
  const { default: WebSocket } = await import('ws');
  return new Promise((resolve) => {
    const ws = new WebSocket(url.replace(/^http/, 'ws') + '/', { handshakeTimeout: 5000 });
    const done = (v: unknown) => {
      clearTimeout(timer);
      ws.terminate();
      resolve(v);
    };
    const timer = setTimeout(() => done({ error: 'timed out' }), 5000);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'req', id: 'c', method: 'connect', params: { protocol: 1, client: { name: 'mayros-cli' }, auth: token ? { token } : {} } })));
    ws.on('message', (data) => {
      const f = JSON.parse(data.toString()) as { id?: string; ok?: boolean; payload?: unknown; error?: unknown };
      if (f.id === 'c') {
        if (!f.ok) return done({ error: f.error });
        ws.send(JSON.stringify({ type: 'req', id: 's', method: 'status' }));
      } else if (f.id === 's') done(f.ok ? f.payload : { error: f.error });
    });
    ws.on('close', (code, reason) => done({ error: { closeCode: code, reason: reason.toString() } }));
    ws.on('error', () => done({ error: 'connection failed' }));
  });
}

async function status(opts: StatusOptions): Promise<void> {
  let url = opts.url;
  let token = opts.token ?? process.env[ENV.token];
  if (!url || !token) {
    const resolved = loadConfig({ configPath: opts.config, requireNamedFile: true });
    const g = resolved.config.gateway;
    const host = g.bind === 'custom' && g.customBindHost && !isLoopbackBind(resolved.config) ? g.customBindHost : '127.0.0.1';
    url ??= `http://${host.includes(':') ? `[${host}]` : host}:${g.port}`;
    token ??= g.auth.token ?? readStoredToken(resolved.stateDir);
  }
  url = url.replace(/\/+$/, '');
  const report: Record<string, unknown> = { url };
  try {
    const health = await fetchJson(`${url}/healthz`, {});
    report.reachable = health.status === 200;
    const who = await fetchJson(`${url}/api/whoami`, token ? { authorization: `Bearer ${token}` } : {});
    report.whoami = who.body;
    if (who.status === 200) report.status = await wsStatus(url, token);
  } catch (err) {
    report.reachable = false;
    report.error = (err as Error).message;
  }
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    process.stdout.write(`gateway ${url}: ${report.reachable ? 'reachable' : 'NOT reachable'}\n`);
    if (report.error) process.stdout.write(`  error: ${String(report.error)}\n`);
    if (report.whoami) process.stdout.write(`  whoami: ${JSON.stringify(report.whoami)}\n`);
    const cfg = (report.status as { config?: { generation?: number; loadedAt?: string; pendingRestart?: string[] } } | undefined)?.config;
    if (cfg?.generation !== undefined) {
      const pending = cfg.pendingRestart?.length ? `; restart needed to apply ${cfg.pendingRestart.join(', ')}` : '';
      process.stdout.write(`  config generation: ${cfg.generation} (in force since ${cfg.loadedAt ?? '?'})${pending}\n`);
    }
    if (report.status) process.stdout.write(`  status: ${JSON.stringify(report.status)}\n`);
  }
  if (!report.reachable) process.exitCode = 1;
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
    .description('probe a running gateway: reachable, who it thinks you are, its status')
    .option('-c, --config <path>', 'config file, for the default URL and token')
    .option('--url <url>', 'gateway URL (default: from the config)')
    .option('--token <token>', 'token for token mode (default: MAYROS_GATEWAY_TOKEN, the config, or the stored token)')
    .option('--json', 'print JSON')
    .action((opts: StatusOptions) => status(opts));
}
