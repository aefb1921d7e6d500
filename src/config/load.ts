/**
 * Loads the configuration: resolve the path, read JSON5, apply environment and flag overrides,
 * parse with the schema, and freeze. Records where every set value came from.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import JSON5 from 'json5';
import { parseConfigObject } from './parse.js';
import { ConfigError } from './errors.js';
import { checkConfig, type ValidatedConfig } from './validate.js';
import type { Config } from './schema.js';
import { deepFreeze, leaves, setPath } from './tree.js';
import { resolveStateDir, STATE_DIR_ENV } from './state-dir.js';

export type ValueSource = 'default' | 'file' | 'env' | 'flag' | 'generated';

export interface LoadOptions {
  /** --config */
  configPath?: string;
  /** Defaults to process.env. */
  env?: Record<string, string | undefined>;
  flags?: { port?: number; bind?: string };
  /**
   * Refuse a file named explicitly (`configPath`, or MAYROS_CONFIG_PATH) that does not exist,
   * instead of running on defaults. The CLI sets it for every command that reads the config; a
   * reload does not (a file that disappears under a running gateway has its own message).
   */
  requireNamedFile?: boolean;
}

/** A loaded config, frozen, with where its values came from and its checks (see ConfigChecks). */
export interface ResolvedConfig extends ValidatedConfig {
  /** Absolute path of the config file (whether or not it exists). */
  readonly file: string;
  readonly fileFound: boolean;
  readonly stateDir: string;
  /** Where each explicitly set leaf came from, keyed by dotted path; absent = default. */
  readonly sources: ReadonlyMap<string, ValueSource>;
}

/** The fields of a ResolvedConfig that are not worked out from the others. */
export type ConfigFields = Omit<ResolvedConfig, 'checks'>;

/** Freezes the fields and runs the config's checks once (every ResolvedConfig is made here). */
export function resolvedConfig(fields: ConfigFields): ResolvedConfig {
  const { file, fileFound, stateDir, config, sources } = fields;
  return Object.freeze({ file, fileFound, stateDir, config: deepFreeze(config), sources, checks: checkConfig(config) });
}

export const ENV = {
  configPath: 'MAYROS_CONFIG_PATH',
  stateDir: STATE_DIR_ENV,
  port: 'MAYROS_GATEWAY_PORT',
  token: 'MAYROS_GATEWAY_TOKEN',
  password: 'MAYROS_GATEWAY_PASSWORD',
} as const;

export { resolveStateDir };

export function resolveConfigPath(configPath: string | undefined, env: Record<string, string | undefined>): string {
  if (configPath) return resolve(configPath);
  const fromEnv = env[ENV.configPath];
  if (fromEnv && fromEnv.trim()) return resolve(fromEnv);
  return join(resolveStateDir(env), 'mayros.json');
}

/** A ConfigError for a config file that was named explicitly but does not exist. */
function namedFileMissing(file: string, configPath: string | undefined, env: Record<string, string | undefined>): ConfigError {
  const fallback = join(resolveStateDir(env), 'mayros.json');
  const issue = configPath
    ? { path: '--config', message: `${file} does not exist`, fix: `correct the path, or create the file (it may hold just {} to start from defaults); without --config the gateway reads ${fallback}` }
    : { path: ENV.configPath, message: `names ${file}, which does not exist`, fix: `correct ${ENV.configPath} or create the file (it may hold just {} to start from defaults); unset it to use ${fallback}` };
  return new ConfigError([issue], file);
}

/** Reads and parses the JSON5 file; undefined when it does not exist. */
export function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new ConfigError([{ path: '', message: `cannot read the file (${code ?? 'error'})`, fix: 'check the path and its permissions' }], file);
  }
  return parseConfigText(text, file);
}

/** Parses a config file's text (JSON5) as {@link readConfigFile} does; `file` names it in errors. */
export function parseConfigText(text: string, file: string): unknown {
  // Most config files are plain JSON, which JSON.parse reads many times faster than JSON5 and
  // reads the same way; anything else (comments, trailing commas) and every error goes to JSON5.
  try {
    return JSON.parse(text);
  } catch {
    /* not plain JSON */
  }
  try {
    return JSON5.parse(text);
  } catch (err) {
    const e = err as Error & { lineNumber?: number; columnNumber?: number };
    const where = e.lineNumber ? ` at line ${e.lineNumber}, column ${e.columnNumber}` : '';
    throw new ConfigError([{ path: '', message: `not valid JSON5${where}: ${e.message.replace(/^JSON5: /, '')}`, fix: 'correct the syntax; nothing from this file was applied' }], file);
  }
}

/**
 * Loads and schema-checks the config without startup validation (the audit reads configs the
 * gateway would refuse). Throws ConfigError on unreadable files, syntax errors and schema errors.
 */
export function loadConfig(options: LoadOptions = {}): ResolvedConfig {
  const env = options.env ?? process.env;
  const file = resolveConfigPath(options.configPath, env);
  const raw = readConfigFile(file);
  if (raw === undefined && options.requireNamedFile && (options.configPath || env[ENV.configPath]?.trim())) {
    throw namedFileMissing(file, options.configPath, env);
  }
  return resolveConfig(raw, file, options);
}

/**
 * The second half of {@link loadConfig}, for contents already read: `raw` is the parsed file
 * (undefined when there is none) at `file`; environment and flags from `options` are applied and
 * the result schema-checked and frozen. The config editor checks a candidate file with it, so a
 * console edit is judged exactly as the same file loaded from disk.
 */
export function resolveConfig(raw: unknown, file: string, options: Omit<LoadOptions, 'configPath' | 'requireNamedFile'> = {}): ResolvedConfig {
  const env = options.env ?? process.env;
  if (raw !== undefined && (raw === null || typeof raw !== 'object' || Array.isArray(raw))) {
    throw new ConfigError([{ path: '', message: 'the file must hold an object, e.g. { gateway: { ... } }', fix: 'wrap the settings in { gateway: { ... } }' }], file);
  }
  // The file must be valid on its own: a flag or variable that overrides a bad value does not
  // make the file good, and a file is applied whole or not at all.
  if (raw !== undefined) parseConfigObject(raw, file);
  const merged: Record<string, unknown> = raw === undefined ? {} : structuredClone(raw as Record<string, unknown>);
  const sources = new Map<string, ValueSource>();
  for (const path of leaves(merged).keys()) sources.set(path, 'file');

  const envIssues = [];
  const envPort = env[ENV.port];
  if (envPort !== undefined && envPort !== '') {
    if (!/^\d+$/.test(envPort) || Number(envPort) > 65535) {
      envIssues.push({ path: ENV.port, message: `"${envPort}" is not a port number`, fix: 'set it to a whole number from 0 to 65535, or unset it' });
    } else {
      setPath(merged, 'gateway.port', Number(envPort));
      sources.set('gateway.port', 'env');
    }
  }
  for (const [name, path] of [[ENV.token, 'gateway.auth.token'], [ENV.password, 'gateway.auth.password']] as const) {
    const v = env[name];
    if (v === undefined) continue;
    if (v === '') {
      envIssues.push({ path: name, message: 'is set but empty', fix: `unset ${name} or give it a value` });
      continue;
    }
    setPath(merged, path, v);
    sources.set(path, 'env');
  }
  if (envIssues.length) throw new ConfigError(envIssues);

  if (options.flags?.port !== undefined) {
    setPath(merged, 'gateway.port', options.flags.port);
    sources.set('gateway.port', 'flag');
  }
  if (options.flags?.bind !== undefined) {
    setPath(merged, 'gateway.bind', options.flags.bind);
    sources.set('gateway.bind', 'flag');
  }

  const config = parseConfigObject(merged, raw === undefined ? undefined : file);
  return resolvedConfig({ file, fileFound: raw !== undefined, stateDir: resolveStateDir(env), config, sources });
}

/** loadConfig plus startup validation: what `gateway run` and `config validate` use. */
export function loadConfigForStartup(options: LoadOptions = {}): ResolvedConfig {
  return checkForStartup(loadConfig(options));
}

/** Startup validation of a loaded config (its checks ran once, when it was resolved): returns it, or throws ConfigError with every issue. */
export function checkForStartup(resolved: ResolvedConfig): ResolvedConfig {
  const issues = resolved.checks.issues;
  if (issues.length) throw new ConfigError([...issues], resolved.fileFound ? resolved.file : undefined);
  return resolved;
}

/** One value to put at a dotted path, and where it came from (undefined: the default). */
export interface ValueChange {
  path: string;
  /** undefined removes the key (its default applies). */
  value: unknown;
  source: ValueSource | undefined;
}

/** A copy of `resolved` with `changes` applied to its config and sources, frozen again. */
export function withValues(resolved: ResolvedConfig, changes: readonly ValueChange[]): ResolvedConfig {
  const tree = structuredClone(resolved.config) as unknown as Record<string, unknown>;
  const sources = new Map(resolved.sources);
  for (const c of changes) {
    setPath(tree, c.path, c.value);
    if (c.source) sources.set(c.path, c.source);
    else sources.delete(c.path);
  }
  return resolvedConfig({ ...resolved, config: tree as unknown as Config, sources });
}
