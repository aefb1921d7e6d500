/**
 * Wiring only: builds the context, the HTTP and WebSocket adapters, and listens. Nothing runs on import.
 */
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { ResolvedConfig } from '../config/load.js';
import { compileAuthPolicy } from '../auth/policy.js';
import { FailureLimiter } from '../auth/rate-limit.js';
import type { KeySourceTuning } from '../auth/assertion/load-keys.js';
import type { KeyFetchEvent } from '../auth/assertion/remote-keys.js';
import { bindPlan, urlHost } from '../net/bind.js';
import { VERSION } from '../version.js';
import type { GatewayContext } from './context.js';
import { createHttpHandler } from './http.js';
import { LogLimiter, nullLogger, type Logger } from './log.js';
import { Presence } from './presence.js';
import { loadStaticFiles } from './static.js';
import { DEFAULT_WS_LIMITS, WsGateway, type WsLimits } from './ws.js';

export interface GatewayOptions {
  resolved: ResolvedConfig;
  logger?: Logger;
  /** Directory of the built Control UI; defaults to the package's dist/ui. */
  uiDir?: string;
  now?: () => number;
  limits?: Partial<WsLimits>;
  /** Fetch limits and cooldowns for assertion signing keys (defaults in remote-keys.ts). */
  keyTuning?: KeySourceTuning;
}

export interface RunningGateway {
  readonly port: number;
  /** One URL per listening address. */
  readonly urls: readonly string[];
  readonly ctx: GatewayContext;
  readonly ws: WsGateway;
  /** Closes clients with 1001, stops listening, resolves when done (forcing after `graceMs`). */
  close(graceMs?: number): Promise<void>;
}

export const DEFAULT_UI_DIR = fileURLToPath(new URL('../../dist/ui', import.meta.url));

const HTTP_LIMITS = {
  maxHeaderSize: 16 * 1024,
  headersTimeout: 10_000,
  requestTimeout: 30_000,
  keepAliveTimeout: 5_000,
};

/** Statuses for requests Node's parser refused before they reached a handler. */
const CLIENT_ERROR_STATUS: Record<string, string> = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
  HPE_HEADERS_TIMEOUT: '408 Request Timeout',
};

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', onError);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}

function logKeyEvent(logger: Logger, e: KeyFetchEvent): void {
  if (e.type === 'fetched') logger.info({ event: 'assertion_keys_fetched', url: e.url, keys: e.keys }, 'fetched assertion signing keys');
  else logger.warn({ event: 'assertion_keys_failed', url: e.url, error: e.error }, 'could not fetch assertion signing keys; refusing requests until they arrive');
}

export async function startGateway(opts: GatewayOptions): Promise<RunningGateway> {
  const { resolved } = opts;
  const g = resolved.config.gateway;
  const now = opts.now ?? Date.now;
  const logger = opts.logger ?? nullLogger();
  const policy = compileAuthPolicy(resolved.config);
  // Key sources (and jose with them) load only when assertions are configured: start-up time.
  const keys =
    policy.mode === 'trusted-proxy' && policy.assertion
      ? await (await import('../auth/assertion/load-keys.js')).createKeySource(policy.assertion, { now, onEvent: (e) => logKeyEvent(logger, e), ...opts.keyTuning })
      : undefined;
  const ctx: GatewayContext = {
    resolved,
    policy,
    limiter: new FailureLimiter(g.auth.rateLimit),
    logger,
    rejectLog: new LogLimiter(),
    presence: new Presence(),
    startedAt: now(),
    now,
    version: VERSION,
    keys,
    port: 0,
  };
  const ui = g.controlUi.enabled ? loadStaticFiles(opts.uiDir ?? DEFAULT_UI_DIR) : undefined;
  const handler = createHttpHandler(ctx, ui);
  const ws = new WsGateway(ctx, { ...DEFAULT_WS_LIMITS, ...opts.limits });

  const servers: Server[] = [];
  const urls: string[] = [];
  const make = () => {
    const s = createServer(HTTP_LIMITS, handler);
    s.on('upgrade', ws.handleUpgrade);
    s.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      if (!socket.writable) return socket.destroy();
      const status = CLIENT_ERROR_STATUS[err.code ?? ''] ?? '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    });
    return s;
  };

  const plan = bindPlan(g.bind, g.customBindHost);
  let port = g.port;
  try {
    for (const { host, required } of plan.hosts) {
      const s = make();
      try {
        port = await listen(s, host, port);
        servers.push(s);
        urls.push(`http://${urlHost(host)}:${port}`);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (required && plan.fallback && (code === 'EAFNOSUPPORT' || code === 'EADDRNOTAVAIL')) {
          port = await listen(s, plan.fallback, port);
          servers.push(s);
          urls.push(`http://${urlHost(plan.fallback)}:${port}`);
        } else if (required) {
          throw err;
        }
      }
    }
  } catch (err) {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    ws.shutdown();
    throw err;
  }
  ctx.port = port;

  let closing: Promise<void> | undefined;
  return {
    port,
    urls,
    ctx,
    ws,
    close(graceMs = 2000) {
      closing ??= (async () => {
        ws.shutdown();
        const closed = Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
        for (const s of servers) s.closeIdleConnections();
        const timer = new Promise<void>((r) => setTimeout(r, graceMs).unref());
        await Promise.race([closed, timer]);
        ws.terminateAll();
        for (const s of servers) s.closeAllConnections();
        await closed;
      })();
      return closing;
    },
  };
}
