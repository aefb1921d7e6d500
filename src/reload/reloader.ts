/**
 * Live config reload. A new file is loaded and validated in full (as `gateway run` does at start,
 * token handling included) before anything changes; then the next generation is built and swapped
 * in with one assignment, and every open WebSocket session is re-checked against it. An invalid,
 * missing or unreadable file leaves the generation in force untouched and logs the field and fix.
 *
 * Keys that need a new listening socket are not applied halfway: the rest of the change is applied
 * at once (so a revocation never waits on an unrelated port edit), those keys keep their running
 * values and are reported as waiting for a restart. If the new file is only valid with its new
 * listening values (e.g. mode "none" and a bind switched to loopback while the gateway still
 * listens on the LAN), the whole reload is refused.
 *
 * Assertion signing keys are part of the generation: a key file is read again on every reload (so
 * SIGHUP picks up rotated keys), a changed key URL is fetched once before the swap, an unchanged
 * one keeps its key source. Until the swap, requests keep using the generation in force.
 */
import { loadConfigForStartup, type LoadOptions, type ResolvedConfig } from '../config/load.js';
import { ConfigError } from '../config/errors.js';
import { ensureToken } from '../config/token-store.js';
import { compileAuthPolicy } from '../auth/policy.js';
import type { KeySourceTuning } from '../auth/assertion/load-keys.js';
import type { Logger } from 'pino';
import { buildGeneration, keysFingerprint, keysFor, type Generation } from './generation.js';
import type { WsLimits } from '../config/limits.js';
import { changedPaths, pinnedIssues, pinRestartOnly, restartOnlyChanges } from './diff.js';

/** What started a reload: the file watcher, SIGHUP, an embedder's call, or an edit from the console (config.patch). */
export type ReloadTrigger = 'file' | 'SIGHUP' | 'api' | 'console';

export type ReloadOutcome =
  | { status: 'applied'; generation: number; changed: string[]; restartRequired: string[]; recheck: RecheckReport }
  | { status: 'unchanged'; generation: number }
  | { status: 'rejected'; generation: number; error: ConfigError };

/** Counts from one re-check of the open sessions. */
export interface RecheckReport {
  checked: number;
  closed: number;
  /** Sessions kept open whose scopes changed (each got a `session.updated` event). */
  updated: number;
  /** Closed sessions per reason code. */
  byReason: Record<string, number>;
}

export interface ReloaderDeps {
  /** The generation in force. */
  current(): Generation;
  /**
   * Puts `next` in force (one assignment, so a request sees all of one generation or of the
   * other) and applies listener-level settings; runs before open sessions are re-checked.
   */
  apply(next: Generation): void;
  /** Re-checks every open session against `gen` and closes the ones it refuses. */
  recheck(gen: Generation): Promise<RecheckReport>;
  logger: Logger;
  /** The gateway clock (ms). */
  now(): number;
  /** The options the running config was loaded with (config path, flags; env is re-read). */
  loadOptions: LoadOptions;
  limitOverrides?: Partial<WsLimits>;
  /** For a new assertion key source (clock, fetch limits, log events). */
  keyTuning?: KeySourceTuning;
}

/** Loads and validates the file as startup does, and refuses a file that has disappeared. */
function loadCandidate(opts: LoadOptions, current: ResolvedConfig): ResolvedConfig {
  const loaded = loadConfigForStartup(opts);
  if (!loaded.fileFound && current.fileFound) {
    throw new ConfigError(
      [{ path: '', message: 'the config file is gone (deleted, moved away, or a symlink to nothing)', fix: 'restore the file; the configuration loaded before stays in force (to run on defaults, make the file hold {})' }],
      loaded.file,
    );
  }
  return ensureToken(loaded).resolved;
}

/** `candidate` with restart-only keys held at their running values, validated as a whole. */
function effectiveConfig(candidate: ResolvedConfig, running: ResolvedConfig, restartRequired: readonly string[]): ResolvedConfig {
  if (restartRequired.length === 0) return candidate;
  const issues = pinnedIssues(candidate, running, restartRequired);
  if (issues.length) throw new ConfigError(issues, candidate.file);
  return pinRestartOnly(candidate, running);
}

export class Reloader {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: ReloaderDeps) {}

  /** Reloads after any reload already running; never rejects. */
  reload(trigger: ReloadTrigger): Promise<ReloadOutcome> {
    const run = this.queue.then(() => this.run(trigger));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private rejected(trigger: ReloadTrigger, current: Generation, err: unknown): ReloadOutcome {
    const error = err instanceof ConfigError ? err : new ConfigError([{ path: '', message: `reload failed: ${(err as Error).message}`, fix: 'check the file and the state directory, then reload again' }]);
    this.deps.logger.error(
      { event: 'config_reload_failed', trigger, file: current.resolved.file, generation: current.n, issues: error.issues },
      `config reload refused; generation ${current.n} stays in force\n${error.message}`,
    );
    return { status: 'rejected', generation: current.n, error };
  }

  private async run(trigger: ReloadTrigger): Promise<ReloadOutcome> {
    const { logger } = this.deps;
    const current = this.deps.current();
    let effective: ResolvedConfig;
    let restartRequired: string[];
    let policy;
    try {
      const candidate = loadCandidate(this.deps.loadOptions, current.resolved);
      restartRequired = restartOnlyChanges(current.resolved, candidate);
      effective = effectiveConfig(candidate, current.resolved, restartRequired);
      policy = compileAuthPolicy(effective);
    } catch (err) {
      return this.rejected(trigger, current, err);
    }

    const changed = changedPaths(current.resolved.config, effective.config);
    const keysChanged = keysFingerprint(policy) !== current.keysFingerprint;
    if (keysChanged && !changed.length) changed.push('gateway.auth.trustedProxy.assertion (key file content)');
    const samePending = restartRequired.length === current.pendingRestart.length && restartRequired.every((p) => current.pendingRestart.includes(p));
    if (changed.length === 0 && samePending) {
      logger.info({ event: 'config_unchanged', trigger, generation: current.n }, 'config reloaded: nothing changed');
      return { status: 'unchanged', generation: current.n };
    }

    let keys;
    try {
      keys = await keysFor(policy, current, this.deps.keyTuning ?? {});
    } catch (err) {
      return this.rejected(trigger, current, err);
    }
    const next = buildGeneration(effective, { n: current.n + 1, now: this.deps.now(), previous: current, policy, keys, limitOverrides: this.deps.limitOverrides, pendingRestart: restartRequired });
    this.deps.apply(next);
    const recheck = await this.deps.recheck(next);

    logger.info(
      { event: 'config_reloaded', trigger, generation: next.n, changed, sessionsChecked: recheck.checked, sessionsClosed: recheck.closed, sessionsUpdated: recheck.updated, closedByReason: recheck.byReason, limiterKept: next.limiter === current.limiter },
      `config generation ${next.n} in force`,
    );
    if (restartRequired.length) {
      logger.warn({ event: 'config_restart_required', generation: next.n, paths: restartRequired }, `restart the gateway to apply ${restartRequired.join(', ')}; everything else is in force`);
    }
    return { status: 'applied', generation: next.n, changed, restartRequired, recheck };
  }
}
