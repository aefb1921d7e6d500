/**
 * The security audit of a configuration: a pure function from a schema-checked config (and where
 * its values came from) to findings. It runs on configs the gateway would refuse to start with.
 */
import type { Config } from '../config/schema.js';
import type { ValueSource } from '../config/load.js';
import type { ConfigError } from '../config/errors.js';
import { validateForStartup } from '../config/validate.js';
import { finding, sortFindings, type Finding } from './findings.js';
import { checkOwnAddresses, checkTrustedProxies, checkTrustedProxyMode } from './proxy-checks.js';
import type { InterfaceTable } from './ranges.js';
import { checkAssertion } from './assertion-checks.js';
import { checkAuthorization } from './authorization-checks.js';
import { checkMetricsExposed } from './metrics-checks.js';
import { checkModelKeyReadable, checkModelPlainHttp } from './models-checks.js';
import {
  checkAnyOrigin,
  checkLocalProxyNotTrusted,
  checkModeNone,
  checkPasswordStrength,
  checkRateLimit,
  checkRealIpFallback,
  checkSecretsInFile,
  checkTokenLength,
  checkUnusedSecrets,
} from './auth-checks.js';

export interface AuditContext {
  /** Where each set value came from (`ResolvedConfig.sources`); absent = default. */
  sources: ReadonlyMap<string, ValueSource>;
  /** The config file: named in messages, and reported when it does not exist. */
  file?: { path: string; found: boolean };
  /** Secret keys written in the file, including those the environment overrides. */
  secretsInFile?: ReadonlySet<string>;
  /**
   * This host's network interfaces (`os.networkInterfaces()`), to spot trustedProxies entries that
   * are this host's own addresses; absent = not known, and that check is skipped.
   */
  interfaces?: InterfaceTable;
  /** The config file's permission bits, when it was found (for an inline model key others can read). */
  fileMode?: number;
}

function checkConfigFile(config: Config, ctx: AuditContext): Finding[] {
  const out: Finding[] = [];
  if (ctx.file && !ctx.file.found) {
    out.push(
      finding(
        'gateway.config_not_found',
        'info',
        'No config file: defaults apply',
        `There is no file at ${ctx.file.path}, so this audit (and a gateway started the same way) uses the defaults: token mode, loopback bind, a generated token.`,
        'Nothing to fix if that is intended. Otherwise pass --config or set MAYROS_CONFIG_PATH to the file the gateway really uses.',
      ),
    );
  }
  const issues = validateForStartup(config);
  if (issues.length) {
    out.push(
      finding(
        'gateway.config_startup_refused',
        'warn',
        'The gateway would refuse to start with this config',
        `Startup validation fails: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}.`,
        `${issues.map((i) => `${i.path || '(root)'}: ${i.fix ?? 'correct it'}`).join('; ')}. Then run \`mayros config validate\`.`,
      ),
    );
  }
  return out;
}

/**
 * Audits a configuration. Returns findings most severe first; within one severity, in the order
 * the checks are listed here (mode, assertion, scopes, proxies, origins, secrets, limiter).
 */
export function auditConfig(config: Config, ctx: AuditContext): Finding[] {
  const facts = { sources: ctx.sources, file: ctx.file?.path, secretsInFile: ctx.secretsInFile };
  return sortFindings([
    ...checkConfigFile(config, ctx),
    ...checkModeNone(config),
    ...checkTrustedProxyMode(config),
    ...checkAssertion(config),
    ...checkAuthorization(config),
    ...checkTrustedProxies(config),
    ...checkOwnAddresses(config, ctx.interfaces),
    ...checkAnyOrigin(config),
    ...checkUnusedSecrets(config, facts),
    ...checkSecretsInFile(config, facts),
    ...checkTokenLength(config, facts),
    ...checkPasswordStrength(config, facts),
    ...checkRateLimit(config),
    ...checkLocalProxyNotTrusted(config),
    ...checkRealIpFallback(config),
    ...checkMetricsExposed(config),
    ...checkModelKeyReadable(config, { file: ctx.file?.path, fileMode: ctx.fileMode }),
    ...checkModelPlainHttp(config),
  ]);
}

/** The finding for a config that cannot even be read or schema-checked. */
export function configInvalidFinding(err: ConfigError): Finding {
  return finding(
    'gateway.config_invalid',
    'critical',
    'The config cannot be read',
    `${err.message}\nNothing else could be audited.`,
    'Fix each field as listed (the "fix:" lines), then run the audit again; `mayros config validate` checks the file the way `gateway run` does.',
  );
}
