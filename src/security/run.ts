/**
 * The audit with its inputs gathered: loads the config the way the gateway does (schema only, so
 * refused configs can be audited), notes secrets written in the file, and turns an unreadable
 * config into a finding instead of an error.
 */
import { statSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { ConfigError } from '../config/errors.js';
import { loadConfig, readConfigFile, type LoadOptions, type ResolvedConfig } from '../config/load.js';
import { deepFreeze } from '../config/tree.js';
import { secretPathsIn } from '../config/secrets.js';
import { readStoredToken, withToken } from '../config/token-store.js';
import { auditConfig, configInvalidFinding } from './audit.js';
import { toReport, type AuditReport, type Finding } from './findings.js';

/**
 * Secret keys present in the config file itself, even when the environment overrides them (the
 * resolved sources then say "env", but the file still holds a secret).
 */
export function secretsWrittenIn(file: string): Set<string> {
  try {
    return new Set(secretPathsIn(readConfigFile(file)));
  } catch {
    return new Set();
  }
}

/**
 * The config as `gateway run` would use it, without its side effects: in token mode with no token
 * configured, the token kept in the state directory is applied (source "generated"), but none is
 * ever created. The audit then judges the token that is really in force, and `auth explain`
 * compares against it.
 */
export function withStoredToken(resolved: ResolvedConfig): ResolvedConfig {
  const auth = resolved.config.gateway.auth;
  if (auth.mode !== 'token' || auth.token !== undefined) return resolved;
  const token = readStoredToken(resolved.stateDir);
  if (token === undefined) return resolved;
  return withToken(resolved, token);
}

/** Audits an already loaded config (the running gateway's, or one from {@link loadForAudit}). */
export function auditResolved(resolved: ResolvedConfig): Finding[] {
  return auditConfig(resolved.config, {
    sources: resolved.sources,
    file: { path: resolved.file, found: resolved.fileFound },
    secretsInFile: resolved.fileFound ? secretsWrittenIn(resolved.file) : undefined,
    interfaces: networkInterfaces(),
    fileMode: resolved.fileFound ? modeOf(resolved.file) : undefined,
  });
}

/** A file's permission bits; undefined when it cannot be read. */
function modeOf(file: string): number | undefined {
  try {
    return statSync(file).mode & 0o777;
  } catch {
    return undefined;
  }
}

export type AuditLoad = { ok: true; resolved: ResolvedConfig; findings: Finding[] } | { ok: false; error: ConfigError; findings: Finding[] };

/** Loads and audits; a config that cannot be loaded yields the `gateway.config_invalid` finding. */
export function loadForAudit(options: LoadOptions = {}): AuditLoad {
  let resolved: ResolvedConfig;
  try {
    resolved = loadConfig(options);
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, error: err, findings: [configInvalidFinding(err)] };
    throw err;
  }
  resolved = withStoredToken(resolved);
  return { ok: true, resolved, findings: auditResolved(resolved) };
}

const reports = new WeakMap<ResolvedConfig, AuditReport>();

/**
 * The report for a loaded config, computed on first use and kept for as long as that config
 * object lives (a reload that swaps the config gets a fresh report).
 */
export function cachedAuditReport(resolved: ResolvedConfig): AuditReport {
  let report = reports.get(resolved);
  if (!report) {
    report = deepFreeze(toReport(auditResolved(resolved)));
    reports.set(resolved, report);
  }
  return report;
}
