/**
 * A real gateway in this process on a loopback port, from a config file in its own temp dir
 * (loaded and validated exactly as `gateway run` does), with every log line kept in memory.
 * `rewrite` replaces the file and reloads, as an operator's edit would.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfigForStartup, type LoadOptions } from '../../src/config/load.js';
import { ensureToken } from '../../src/config/token-store.js';
import { startGateway, type GatewayOptions, type RunningGateway } from '../../src/gateway/server.js';
import { configText, replaceFile, writeConfig } from './config-file.js';
import { makeTempDir, removeTempDir } from './tmp.js';

export type LogLine = Record<string, unknown> & { msg?: string; event?: string };

/** A pino logger (level debug, no pid/hostname) that keeps every line, parsed and as text. */
export function memoryLogger() {
  const lines: LogLine[] = [];
  let raw = '';
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      const text = chunk.toString('utf8');
      raw += text;
      for (const l of text.split('\n')) if (l) lines.push(JSON.parse(l) as LogLine);
      cb();
    },
  });
  return { logger: pino({ level: 'debug', base: undefined }, out), lines, raw: () => raw };
}

export interface TestGateway {
  gw: RunningGateway;
  port: number;
  /** http://127.0.0.1:<port> */
  url: string;
  /** ws://127.0.0.1:<port>/ */
  wsUrl: string;
  /** The temp dir: the config file and the state dir. */
  dir: string;
  /** The config file. */
  file: string;
  /** Parsed log lines written so far. */
  logs: LogLine[];
  /** Raw log text written so far. */
  rawLogs(): string;
  /** Rewrites the config file (rename-replace, `gateway` on port 0) and reloads it at once. */
  rewrite(gateway: Record<string, unknown>, sections?: Record<string, unknown>): ReturnType<RunningGateway['reload']>;
  /** Closes the gateway (clients get 1001 within 500 ms) and removes the temp dir. */
  stop(): Promise<void>;
}

/**
 * Starts a gateway with `gateway` as the config's `gateway` section (port 0 unless given), the
 * state dir in the temp dir, and a generated token when token mode has none. `opts` passes
 * GatewayOptions through (limits, now, keyTuning, watchConfig, uiDir, ...); `prepare` runs on the
 * temp dir before anything else (to leave a file in the state dir, say). `opts.sections` adds
 * top-level config sections beside `gateway` (`models`, `chat`); `rewrite` keeps them unless given new ones.
 */
export async function startTestGateway(gateway: Record<string, unknown>, opts: Partial<GatewayOptions> & { sections?: Record<string, unknown> } = {}, prepare?: (dir: string) => void): Promise<TestGateway> {
  const { sections: initial, ...gatewayOptions } = opts;
  let sections = initial ?? {};
  const dir = makeTempDir('gw');
  try {
    prepare?.(dir);
    const file = writeConfig(dir, configText(gateway, sections));
    const loadOptions: LoadOptions = { configPath: file, env: { MAYROS_STATE_DIR: dir } };
    const { resolved } = ensureToken(loadConfigForStartup(loadOptions));
    const { logger, lines, raw } = memoryLogger();
    const gw = await startGateway({ resolved, logger, loadOptions, ...gatewayOptions });
    return {
      gw,
      port: gw.port,
      url: `http://127.0.0.1:${gw.port}`,
      wsUrl: `ws://127.0.0.1:${gw.port}/`,
      dir,
      file,
      logs: lines,
      rawLogs: raw,
      rewrite(g, next) {
        if (next) sections = next;
        replaceFile(file, configText(g, sections));
        return gw.reload('api');
      },
      async stop() {
        await gw.close(500);
        removeTempDir(dir);
      },
    };
  } catch (err) {
    removeTempDir(dir);
    throw err;
  }
}
