/**
 * Audit findings: the shape, the catalogue of check ids, ordering and the summary.
 * Check ids are a public contract (scripts filter on them): add new ones, never rename.
 * `docs/cli.md` has one entry per id; a test keeps the two in step.
 */

export type Severity = 'critical' | 'warn' | 'info';

/** One thing the audit found. `detail` and `remediation` never contain a secret. */
export interface Finding {
  checkId: CheckId;
  severity: Severity;
  /** One line. */
  title: string;
  /** What was found, with the config keys and values involved. */
  detail: string;
  /** The exact change that fixes it. */
  remediation: string;
}

export interface AuditSummary {
  critical: number;
  warn: number;
  info: number;
}

/** What `--json` prints and the `security.audit` gateway method returns. */
export interface AuditReport {
  summary: AuditSummary;
  findings: Finding[];
}

/** Every check id with the severities it can carry (some depend on the bind address or mode). */
export const CHECKS = Object.freeze({
  'gateway.config_invalid': ['critical'],
  'gateway.config_startup_refused': ['warn'],
  'gateway.config_not_found': ['info'],
  'gateway.auth_none': ['critical', 'warn'],
  'gateway.trusted_proxy_mode': ['critical'],
  'gateway.trusted_proxy_no_proxies': ['critical'],
  'gateway.trusted_proxy_no_user_header': ['critical'],
  'gateway.trusted_proxy_any_user': ['warn'],
  'gateway.trusted_proxy_no_required_headers': ['info'],
  'gateway.trusted_proxy_no_assertion': ['info'],
  'gateway.trusted_proxy_assertion_key_url_insecure': ['critical'],
  'gateway.trusted_proxy_groups_unsigned': ['warn', 'info'],
  'gateway.authorization_default_admin': ['critical'],
  'gateway.authorization_admin_group_unsigned': ['warn'],
  'gateway.authorization_no_admin': ['info'],
  'gateway.trusted_proxies_any_address': ['critical', 'warn'],
  'gateway.trusted_proxies_broad': ['warn'],
  'gateway.trusted_proxies_loopback': ['warn'],
  'gateway.trusted_proxies_own_address': ['warn'],
  'gateway.control_ui_any_origin': ['critical', 'warn'],
  'gateway.auth_unused_secret': ['warn'],
  'gateway.auth_secret_in_file': ['warn'],
  'gateway.auth_token_short': ['warn'],
  'gateway.auth_password_weak': ['warn'],
  'gateway.auth_no_rate_limit': ['warn'],
  'gateway.local_proxy_not_trusted': ['warn'],
  'gateway.real_ip_fallback': ['warn'],
  'gateway.metrics_exposed': ['warn'],
  'gateway.deep_unreachable': ['warn'],
  'gateway.deep_proxy_blocks_health': ['warn'],
  'gateway.deep_forwarded_untrusted': ['warn'],
  'gateway.deep_probe_failed': ['warn'],
  'gateway.deep_auth_mode_mismatch': ['warn'],
  'gateway.deep_unauthenticated_admitted': ['critical', 'warn'],
  'gateway.deep_ok': ['info'],
  'gateway.models_api_key_readable': ['warn'],
  'gateway.models_plain_http_remote': ['warn'],
} as const satisfies Record<string, readonly Severity[]>);

export type CheckId = keyof typeof CHECKS;

export const ALL_CHECK_IDS = Object.keys(CHECKS) as CheckId[];

export const SEVERITIES: readonly Severity[] = Object.freeze(['critical', 'warn', 'info']);

const RANK: Readonly<Record<Severity, number>> = { critical: 0, warn: 1, info: 2 };

/** True when `s` is at least as severe as `threshold`. */
export function atLeast(s: Severity, threshold: Severity): boolean {
  return RANK[s] <= RANK[threshold];
}

/** Most severe first; within a severity the order the checks ran in (a stable sort). */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => RANK[a.severity] - RANK[b.severity]);
}

export function summarize(findings: readonly Finding[]): AuditSummary {
  const s: AuditSummary = { critical: 0, warn: 0, info: 0 };
  for (const f of findings) s[f.severity]++;
  return s;
}

/** The documented report shape: sorted findings with exactly the five public fields each. */
export function toReport(findings: readonly Finding[]): AuditReport {
  const sorted = sortFindings(findings).map(({ checkId, severity, title, detail, remediation }) => ({ checkId, severity, title, detail, remediation }));
  return { summary: summarize(sorted), findings: sorted };
}

/** Builds a finding; a severity the catalogue does not list for the id is a programming error. */
export function finding(checkId: CheckId, severity: Severity, title: string, detail: string, remediation: string): Finding {
  if (!(CHECKS[checkId] as readonly Severity[]).includes(severity)) {
    throw new Error(`check ${checkId} cannot have severity ${severity}`);
  }
  return { checkId, severity, title, detail, remediation };
}
