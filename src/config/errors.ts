/** Configuration errors: each names the offending field and the fix. */

export interface ConfigIssue {
  /** Dotted config path, e.g. `gateway.auth.trustedProxy.userHeader`. */
  path: string;
  message: string;
  fix?: string;
}

export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[];
  readonly file: string | undefined;

  constructor(issues: ConfigIssue[], file?: string) {
    super(formatIssues(issues, file));
    this.name = 'ConfigError';
    this.issues = issues;
    this.file = file;
  }
}

export function formatIssues(issues: readonly ConfigIssue[], file?: string): string {
  const where = file ? ` in ${file}` : '';
  const lines = issues.map((i) => `  ${i.path || '(root)'}: ${i.message}${i.fix ? `\n    fix: ${i.fix}` : ''}`);
  const head = issues.length === 1 ? `invalid configuration${where}:` : `invalid configuration${where} (${issues.length} problems):`;
  return [head, ...lines].join('\n');
}

/** Levenshtein distance, small inputs only (config key names). */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/** The closest known key, when it is close enough to be a likely typo. */
export function didYouMean(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = distance(key.toLowerCase(), k.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}
