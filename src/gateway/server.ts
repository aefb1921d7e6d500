/**
 * Wiring only: builds the context, the HTTP and WebSocket adapters, and listens. Nothing runs on import.
 */
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { LoadOptions, ResolvedConfig } from '../config/load.js';
import { ConfigError } from '../config/errors.js';
import { compileAuthPolicy } from '../auth/policy.js';
import type { KeySourceTuning } from '../auth/assertion/load-keys.js';
import type { KeyFetchEvent } from '../auth/assertion/remote-keys.js';
import { Reloader, type ReloadOutcome, type ReloadTrigger } from '../reload/reloader.js';
import { watchConfigFile, type ConfigWatcher } from '../reload/watch.js';
import { VERSION } from '../version.js';
import type { GatewayContext } from './context.js';
import { buildGeneration, keysFor, type Generation } from '../reload/generation.js';
import { createHttpHandler } from './http/handler.js';
import { refuseRaw } from './http/raw-refusal.js';
import type { RequestCode } from '../protocol/reasons.js';
import { LogLimiter, nullLogger, type Logger } from './log.js';
import { Presence } from './presence.js';
import { loadStaticFiles } from './http/static.js';
import { WsGateway } from './ws/gateway.js';
import type { WsLimits } from '../config/limits.js';
import { loadTlsMaterial } from '../reload/tls-material.js';
import { openListeners } from './listen/listeners.js';
import { closeGatewayDatabase, openGatewayDatabase } from './database.js';
import { NO_JOURNAL } from '../journal/sink.js';
import { gatewayLogs, type LogRing } from '../logs/index.js';
import { metricsFor, startObservability, type Observability } from './observe.js';
import { recordReload, startGatewayJournal } from './journal.js';
import { journalCounter } from '../metrics/journal.js';
import { ChatRuns } from '../chat/runs.js';
import { changesModels, warnAboutModelKeys } from '../chat/startup.js';
import { scopesFor } from '../authz/decide.js';

export interface GatewayOptions {
  resolved: ResolvedConfig;
  logger?: Logger;
  /** Directory of the built Control UI; defaults to the package's dist/ui. */
  uiDir?: string;
  now?: () => number;
  /** Overrides on top of `gateway.limits`, kept across reloads (tests, benchmarks). */
  limits?: Partial<WsLimits>;
  /** Fetch limits and cooldowns for assertion signing keys (defaults in remote-keys.ts). */
  keyTuning?: KeySourceTuning;
  /** How to load the config again on reload; defaults to `{ configPath: resolved.file }`. */
  loadOptions?: LoadOptions;
  /** Watch the config file and reload when it changes (the CLI turns this on). */
  watchConfig?: boolean;
  /** Quiet time after a file event before reloading (default 200 ms). */
  watchDebounceMs?: number;
  /**
   * Open the database (`<stateDir>/mayros.db`, for chat and the journal) at startup; default true.
   * A database that cannot be opened never stops the gateway (src/gateway/database.ts).
   */
  database?: boolean;
  /** The ring the logger also writes to (createLogger's `ring`), read by `logs.tail`; default: an empty one. */
  logRing?: LogRing;
  /** Where models.providers.*.apiKey `{ env }` references are read; default process.env. */
  env?: Record<string, string | undefined>;
}

export interface RunningGateway {
  /** The TCP port (0 with bind "none"). */
  readonly port: number;
  /** One URL per listening address: http(s)://host:port for TCP, unix:<path> for the Unix socket. */
  readonly urls: readonly string[];
  /** The Unix socket's path, when gateway.listen.unixSocket is set. */
  readonly socketPath: string | undefined;
  readonly ctx: GatewayContext;
  readonly ws: WsGateway;
  /** The HTTP(S) servers, one per listening address and the Unix socket's (for embedders that need the listener itself). */
  readonly servers: readonly Server[];
  /** `http://host:port/metrics` when gateway.metrics is enabled. */
  readonly metricsUrl: string | undefined;
  /**
   * Loads and validates the config again and, if valid, puts it in force and re-checks open
   * sessions. Reloads run one at a time; when the promise resolves, every request that starts
   * afterwards uses the result.
   */
  reload(trigger?: ReloadTrigger): Promise<ReloadOutcome>;
  /** Closes clients with 1001, stops listening, resolves when done (forcing after `graceMs`). */
  close(graceMs?: number): Promise<void>;
}

export const DEFAULT_UI_DIR = fileURLToPath(new URL('../../dist/ui', import.meta.url));

const HTTP_LIMITS = {
  maxHeaderSize: 16 * 1024,
  requestTimeout: 30_000,
  keepAliveTimeout: 5_000,
  // How often Node looks for connections past headersTimeout (its default, 30 s, would let a
  // silent TCP connection outlive the handshake timeout many times over).
  connectionsCheckingInterval: 1_000,
};

/**
 * No cap on the number of header lines: past `maxHeadersCount` Node drops the rest without a word,
 * which would hide a second identity header behind filler lines. The byte limit (maxHeaderSize,
 * answered 431) bounds a request instead, the same on every Node release; handlers also refuse a
 * list that reached a cap, should one be in force (request.ts headersCut).
 */
export const MAX_HEADERS_COUNT = 0;

/** Listener settings that follow the config: a client has handshakeTimeoutMs to send its headers. */
function applyListenerLimits(server: Server, gen: Generation): void {
  server.headersTimeout = gen.limits.handshakeTimeoutMs;
  server.requestTimeout = Math.max(HTTP_LIMITS.requestTimeout, gen.limits.handshakeTimeoutMs);
}

/** Codes for requests Node's parser refused before they reached a handler (others: bad_request). */
const CLIENT_ERROR_CODE: Readonly<Record<string, RequestCode>> = {
  HPE_HEADER_OVERFLOW: 'request_headers_too_large',
  ERR_HTTP_REQUEST_TIMEOUT: 'request_timeout',
  HPE_HEADERS_TIMEOUT: 'request_timeout',
};

function logKeyEvent(logger: Logger, e: KeyFetchEvent): void {
  if (e.type === 'fetched') logger.info({ event: 'assertion_keys_fetched', url: e.url, keys: e.keys }, 'fetched assertion signing keys');
  else logger.warn({ event: 'assertion_keys_failed', url: e.url, error: e.error }, 'could not fetch assertion signing keys; refusing requests until they arrive');
}

export async function startGateway(opts: GatewayOptions): Promise<RunningGateway> {
  const { resolved } = opts;
  const g = resolved.config.gateway;
  const now = opts.now ?? Date.now;
  const logger = opts.logger ?? nullLogger();
  const keyTuning: KeySourceTuning = { now, onEvent: (e) => logKeyEvent(logger, e), ...opts.keyTuning };
  const loadOptions: LoadOptions = opts.loadOptions ?? { configPath: resolved.file };
  // Fail closed: the gateway never runs a config its own startup validation refuses.
  if (resolved.checks.issues.length) throw new ConfigError([...resolved.checks.issues], resolved.fileFound ? resolved.file : undefined);
  // A certificate, key or CA file that cannot be used refuses the start, naming the file.
  let tls;
  try {
    tls = g.tls && loadTlsMaterial(g.tls);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError([...err.issues], resolved.fileFound ? resolved.file : undefined);
    throw err;
  }
  const policy = compileAuthPolicy(resolved);
  const keys = await keysFor(policy, undefined, keyTuning);
  const metrics = metricsFor(g.metrics, () => ctx.presence.size, VERSION);
  const env = opts.env ?? process.env;
  warnAboutModelKeys(resolved.config.models, env, logger);
  const chat = new ChatRuns({
    database: () => ctx.database,
    config: () => ctx.generation.resolved.config,
    journal: () => ctx.journal,
    logger,
    now,
    env,
    metrics,
  });
  const ctx: GatewayContext = {
    generation: buildGeneration(resolved, { n: 1, now: now(), policy, keys, limitOverrides: opts.limits, tls }),
    get resolved() {
      return this.generation.resolved;
    },
    get policy() {
      return this.generation.policy;
    },
    get limiter() {
      return this.generation.limiter;
    },
    get keys() {
      return this.generation.keys;
    },
    logger,
    rejectLog: new LogLimiter(),
    presence: new Presence(),
    startedAt: now(),
    now,
    version: VERSION,
    port: 0,
    database: opts.database === false ? { state: 'off' } : openGatewayDatabase(resolved.stateDir, logger, { now }),
    journal: NO_JOURNAL,
    // The reloader is built once listening; a console edit cannot come before that.
    config: { loadOptions, reload: (trigger) => reload(trigger) },
    logs: gatewayLogs(opts.logRing),
    metrics,
    chat,
  };
  const recorder = startGatewayJournal(ctx.database, resolved.config.journal, logger, now, journalCounter(metrics));
  if (recorder) ctx.journal = recorder;
  const ui = g.controlUi.enabled ? loadStaticFiles(opts.uiDir ?? DEFAULT_UI_DIR) : undefined;
  const handler = createHttpHandler(ctx, ui);
  const ws = new WsGateway(ctx);
  // A run stops when a reload takes operator.write from its owner (src/chat/runs.ts).
  ws.onScopesChanged((c) => chat.scopesChanged(c.identity, c.scopes));

  let listeners: Awaited<ReturnType<typeof openListeners>> | undefined;
  let observe: Observability | undefined;
  try {
    listeners = await openListeners(ctx.generation, {
      http: HTTP_LIMITS,
      handler,
      onUpgrade: ws.handleUpgrade,
      setup: (s) => {
        s.maxHeadersCount = MAX_HEADERS_COUNT;
        applyListenerLimits(s, ctx.generation);
        s.on('clientError', (err: NodeJS.ErrnoException, socket) => {
          if (!socket.writable) return socket.destroy();
          refuseRaw(socket, (err.code !== undefined && Object.hasOwn(CLIENT_ERROR_CODE, err.code) ? CLIENT_ERROR_CODE[err.code] : undefined) ?? 'bad_request');
        });
      },
    });
    observe = await startObservability({ metrics, config: g.metrics, logs: ctx.logs, presence: ctx.presence, logger }, (l) => ws.onScopesChanged(l));
  } catch (err) {
    if (listeners) {
      await Promise.all(listeners.servers.map((s) => new Promise((r) => s.close(r))));
      listeners.removeSocket();
    }
    ctx.logs.followers.close();
    ws.shutdown();
    recorder?.close();
    closeGatewayDatabase(ctx.database, logger);
    if (err instanceof ConfigError) throw new ConfigError([...err.issues], resolved.fileFound ? resolved.file : undefined);
    throw err;
  }
  const opened = listeners;
  const running = observe;
  const { servers, urls, port } = opened;
  if (opened.socket?.replacedStale) logger.info({ event: 'unix_socket_stale_replaced', path: opened.socket.path }, 'replaced a socket file nothing was listening on (left by a gateway that did not stop cleanly)');
  ctx.port = port;

  const reloader = new Reloader({
    current: () => ctx.generation,
    apply: (next) => {
      const previous = ctx.generation;
      ctx.generation = next;
      // Runs of owners the new rules take operator.write from stop, connected or not.
      chat.recheckScopes((who) => scopesFor(who, next.authorization));
      for (const s of servers) applyListenerLimits(s, next);
      opened.applyTls(next, previous);
      recorder?.setConfig(next.resolved.config.journal);
    },
    recheck: (gen) => ws.recheckAll(gen),
    logger: ctx.logger,
    now: ctx.now,
    loadOptions,
    limitOverrides: opts.limits,
    keyTuning,
  });
  const reload = (trigger: ReloadTrigger = 'api') =>
    reloader.reload(trigger).then((outcome) => {
      ctx.metrics.reload(outcome.status);
      recordReload(ctx.journal, trigger, outcome, ctx.logger);
      // A provider added (or changed) by the reload gets the startup's unset-key warning too.
      if (outcome.status === 'applied' && changesModels(outcome.changed)) warnAboutModelKeys(ctx.generation.resolved.config.models, env, ctx.logger);
      return outcome;
    });
  let watcher: ConfigWatcher | undefined;
  if (opts.watchConfig) {
    watcher = watchConfigFile(resolved.file, () => void reload('file'), {
      debounceMs: opts.watchDebounceMs,
      onWatchError: (err) => ctx.logger.warn({ event: 'config_watch_degraded', file: resolved.file, code: err.code }, 'cannot watch the config directory; polling the file instead (SIGHUP also reloads)'),
    });
  }

  let closing: Promise<void> | undefined;
  return {
    port,
    urls,
    socketPath: opened.socket?.path,
    ctx,
    ws,
    servers,
    metricsUrl: running?.metricsUrl,
    reload,
    close(graceMs = 2000) {
      closing ??= (async () => {
        watcher?.close();
        ws.shutdown();
        const closed = Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
        for (const s of servers) s.closeIdleConnections();
        const timer = new Promise<void>((r) => setTimeout(r, graceMs).unref());
        await Promise.race([closed, timer]);
        ws.terminateAll();
        for (const s of servers) s.closeAllConnections();
        await closed;
        opened.removeSocket();
        // Answers still streaming are saved (incomplete), and their runs journaled, before the journal and the database close.
        await chat.close();
        await running?.close();
        // The window's last summaries are written before the database closes.
        recorder?.close();
        ctx.journal = NO_JOURNAL;
        closeGatewayDatabase(ctx.database, ctx.logger);
      })();
      return closing;
    },
  };
}
