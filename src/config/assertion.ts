/**
 * Signed identity assertions: the vendor presets, and the resolution of
 * `gateway.auth.trustedProxy.assertion` (preset + explicit keys) into the settings the verifier
 * uses. Pure: no file or network access; the key file is read when the gateway starts.
 *
 * Preset facts come from each vendor's documentation:
 * - Pomerium: `X-Pomerium-Jwt-Assertion`, ES256, keys at `https://<route host>/.well-known/pomerium/jwks.json`,
 *   `iss` and `aud` both the route's host name (Pomerium 0.22 and later), groups in `groups`.
 * - Cloudflare Access: `Cf-Access-Jwt-Assertion`, RS256, keys at
 *   `https://<team>.cloudflareaccess.com/cdn-cgi/access/certs`, `iss` the team domain URL, `aud` the AUD tag.
 * - Google IAP: `X-Goog-IAP-JWT-Assertion`, ES256, keys at `https://www.gstatic.com/iap/verify/public_key-jwk`,
 *   `iss` `https://cloud.google.com/iap`; its identity header carries an `accounts.google.com:` prefix.
 */
import type { AssertionConfig } from './schema.js';
import type { ConfigIssue } from './errors.js';
import { keyUrlProblem } from './key-url.js';

export const ASSERTION_PATH = 'gateway.auth.trustedProxy.assertion';

/** JWS algorithms accepted for assertions: asymmetric signatures only. */
export const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'] as const;
export type AsymmetricAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];
const ALGORITHM_SET: ReadonlySet<string> = new Set(ASYMMETRIC_ALGORITHMS);

export type KeyLocation = { readonly kind: 'url'; readonly url: string } | { readonly kind: 'file'; readonly path: string };

/** The verifier's settings, after the preset is applied and everything is checked. */
export interface ResolvedAssertion {
  readonly preset: AssertionConfig['preset'];
  /** Lowercased header name. */
  readonly header: string;
  readonly keys: KeyLocation;
  readonly issuer: string;
  readonly audience: readonly string[];
  readonly algorithms: readonly AsymmetricAlgorithm[];
  readonly userClaim: string;
  readonly groupsClaim: string | undefined;
  /** Stripped from the identity header before it is compared with the claim (Google IAP). */
  readonly userHeaderPrefix: string | undefined;
  readonly clockToleranceSec: number;
  readonly maxTokenBytes: number;
}

interface PresetDefaults {
  header: string;
  algorithms: AsymmetricAlgorithm[];
  userClaim: string;
  groupsClaim?: string;
  userHeaderPrefix?: string;
  issuer?: string;
  jwksUrl?: string;
}

/** What each preset fills in (values that depend on the operator's own ones come from `derive`). */
const PRESETS: Readonly<Record<NonNullable<AssertionConfig['preset']>, PresetDefaults>> = {
  pomerium: { header: 'x-pomerium-jwt-assertion', algorithms: ['ES256'], userClaim: 'email', groupsClaim: 'groups' },
  'cloudflare-access': { header: 'cf-access-jwt-assertion', algorithms: ['RS256'], userClaim: 'email' },
  'google-iap': {
    header: 'x-goog-iap-jwt-assertion',
    algorithms: ['ES256'],
    userClaim: 'email',
    userHeaderPrefix: 'accounts.google.com:',
    issuer: 'https://cloud.google.com/iap',
    jwksUrl: 'https://www.gstatic.com/iap/verify/public_key-jwk',
  },
};

const HOST_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\d{1,5})?$/;
const IAP_AUDIENCE = /^\/projects\/\d+\/(?:global\/backendServices\/[^/\s]+|apps\/[^/\s]+)$/;

/** The assertion settings with the preset applied, before checking (what the audit reads). */
export interface MergedAssertion {
  header?: string;
  jwksUrl?: string;
  jwksFile?: string;
  issuer?: string;
  audience?: string | string[];
  algorithms?: string[];
  userClaim?: string;
  groupsClaim?: string;
  userHeaderPrefix?: string;
}

/** Applies the preset: explicit keys win; values that follow from the operator's are derived. */
export function mergePreset(a: AssertionConfig): MergedAssertion {
  const p = a.preset ? PRESETS[a.preset] : undefined;
  const m: MergedAssertion = {
    header: a.header ?? p?.header,
    jwksUrl: a.jwksUrl ?? (a.jwksFile ? undefined : p?.jwksUrl),
    jwksFile: a.jwksFile,
    issuer: a.issuer ?? p?.issuer,
    audience: a.audience,
    algorithms: a.algorithms ?? p?.algorithms,
    userClaim: a.userClaim ?? p?.userClaim ?? 'email',
    groupsClaim: a.groupsClaim ?? p?.groupsClaim,
    userHeaderPrefix: a.userHeaderPrefix ?? p?.userHeaderPrefix,
  };
  if (a.preset === 'pomerium' && typeof a.audience === 'string' && HOST_NAME.test(a.audience)) {
    m.issuer ??= a.audience;
    if (!a.jwksUrl && !a.jwksFile) m.jwksUrl = `https://${a.audience}/.well-known/pomerium/jwks.json`;
  }
  if (a.preset === 'cloudflare-access' && a.issuer && !a.jwksUrl && !a.jwksFile && isHttpsOrigin(a.issuer)) {
    m.jwksUrl = `${a.issuer.replace(/\/$/, '')}/cdn-cgi/access/certs`;
  }
  return m;
}

function isHttpsOrigin(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' && u.origin === s.replace(/\/$/, '');
  } catch {
    return false;
  }
}

function algorithmIssue(alg: string, path: string): ConfigIssue | undefined {
  if (ALGORITHM_SET.has(alg)) return undefined;
  const fix = `use the asymmetric algorithm your proxy signs with, e.g. "ES256" or "RS256" (accepted: ${ASYMMETRIC_ALGORITHMS.join(', ')})`;
  if (alg.toLowerCase() === 'none') return { path, message: '"none" means an unsigned token, which anyone can forge', fix };
  if (/^HS\d+$/i.test(alg)) {
    return { path, message: `"${alg}" is a shared-secret (HMAC) algorithm: it would let anyone holding the published key material forge tokens`, fix };
  }
  return { path, message: `"${alg}" is not a supported asymmetric JWS algorithm`, fix };
}

function presetIssues(a: AssertionConfig, base: string): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const aud = a.audience;
  if (a.preset === 'pomerium' && aud !== undefined && !(typeof aud === 'string' && HOST_NAME.test(aud)) && !(a.issuer && (a.jwksUrl || a.jwksFile))) {
    out.push({ path: `${base}.audience`, message: 'with the pomerium preset, audience is the route\'s host name', fix: 'write the host users open, without scheme or path, e.g. "mayros.example.com"' });
  }
  if (a.preset === 'cloudflare-access') {
    if (a.issuer === undefined) {
      out.push({ path: `${base}.issuer`, message: 'the cloudflare-access preset needs your team domain', fix: 'set issuer to "https://<your-team>.cloudflareaccess.com"' });
    } else if (!isHttpsOrigin(a.issuer)) {
      out.push({ path: `${base}.issuer`, message: `"${a.issuer}" is not an https origin`, fix: 'write it as "https://<your-team>.cloudflareaccess.com", with no path' });
    }
    const list = typeof aud === 'string' ? [aud] : (aud ?? []);
    if (list.some((x) => x.includes('://') || x.includes('.cloudflareaccess.com'))) {
      out.push({ path: `${base}.audience`, message: 'looks like a domain, but Cloudflare Access puts the application\'s AUD tag in "aud"', fix: 'copy the Application Audience (AUD) Tag from the Access application\'s settings' });
    }
  }
  if (a.preset === 'google-iap' && aud !== undefined) {
    const list = typeof aud === 'string' ? [aud] : aud;
    list.forEach((x, i) => {
      if (!IAP_AUDIENCE.test(x)) {
        out.push({
          path: typeof aud === 'string' ? `${base}.audience` : `${base}.audience[${i}]`,
          message: `"${x}" is not an IAP audience`,
          fix: 'use "/projects/<project number>/global/backendServices/<service id>" (load balancer) or "/projects/<project number>/apps/<project id>" (App Engine)',
        });
      }
    });
  }
  return out;
}

export type ResolveResult = { ok: true; value: ResolvedAssertion } | { ok: false; issues: ConfigIssue[] };

/** Applies the preset and checks the result; every problem names its config path and the fix. */
export function resolveAssertion(a: AssertionConfig, base = ASSERTION_PATH): ResolveResult {
  const issues = presetIssues(a, base);
  const m = mergePreset(a);
  const need = (key: keyof MergedAssertion, fix: string) => {
    if (m[key] === undefined && !issues.some((i) => i.path === `${base}.${key}`)) issues.push({ path: `${base}.${key}`, message: a.preset ? `required (the ${a.preset} preset cannot fill it)` : 'required when no preset is set', fix });
  };
  need('header', 'set it to the header that carries the signed JWT, or choose a preset');
  need('issuer', 'set it to the "iss" value your proxy puts in its tokens');
  need('audience', 'set it to the "aud" value your proxy puts in tokens for this gateway');
  need('algorithms', 'list the algorithm your proxy signs with, e.g. ["ES256"]');

  if (a.jwksUrl && a.jwksFile) {
    issues.push({ path: `${base}.jwksFile`, message: 'jwksUrl and jwksFile are both set', fix: 'keep exactly one: the URL the proxy publishes its keys at, or a local copy of that key set' });
  } else if (!m.jwksUrl && !m.jwksFile) {
    issues.push({ path: `${base}.jwksUrl`, message: 'no key source: set jwksUrl or jwksFile', fix: 'set jwksUrl to the URL where the proxy publishes its public keys (JWKS), or jwksFile to a local copy' });
  }
  if (m.jwksUrl) {
    const problem = keyUrlProblem(m.jwksUrl);
    if (problem) issues.push({ path: `${base}.jwksUrl`, message: `${m.jwksUrl.startsWith('http') ? `"${m.jwksUrl}" ` : ''}${problem}`, fix: 'serve the key set over https, or use jwksFile with a local copy' });
  }
  (m.algorithms ?? []).forEach((alg, i) => {
    const issue = algorithmIssue(alg, `${base}.algorithms[${i}]`);
    if (issue) issues.push(issue);
  });
  if (issues.length) return { ok: false, issues };

  return {
    ok: true,
    value: Object.freeze({
      preset: a.preset,
      header: m.header!,
      keys: Object.freeze(m.jwksFile ? { kind: 'file' as const, path: m.jwksFile } : { kind: 'url' as const, url: m.jwksUrl! }),
      issuer: m.issuer!,
      audience: Object.freeze(typeof m.audience === 'string' ? [m.audience] : [...m.audience!]),
      algorithms: Object.freeze([...new Set(m.algorithms as AsymmetricAlgorithm[])]),
      userClaim: m.userClaim!,
      groupsClaim: m.groupsClaim,
      userHeaderPrefix: m.userHeaderPrefix,
      clockToleranceSec: a.clockToleranceSec,
      maxTokenBytes: a.maxTokenBytes,
    }),
  };
}

/**
 * Startup checks for the assertion and the group settings of `gateway.auth.trustedProxy`
 * (called from validateForStartup).
 */
export function trustedProxyExtrasIssues(
  tp: {
    assertion?: AssertionConfig | undefined;
    groupsHeader?: string | undefined;
    allowGroups: readonly string[];
  },
  resolved: ResolveResult | undefined = tp.assertion && resolveAssertion(tp.assertion),
): ConfigIssue[] {
  const base = 'gateway.auth.trustedProxy';
  const issues: ConfigIssue[] = [];
  let groupsClaim: string | undefined;
  if (tp.assertion) {
    if (resolved && !resolved.ok) issues.push(...resolved.issues);
    groupsClaim = mergePreset(tp.assertion).groupsClaim;
    if (tp.groupsHeader) {
      // At run time the header would be ignored; refusing here saves an operator from believing it counts.
      issues.push({
        path: `${base}.groupsHeader`,
        message: 'an assertion is configured, so groups come only from its signed groups claim; this header would be ignored',
        fix: 'remove groupsHeader, and set assertion.groupsClaim if the token carries groups',
      });
    }
  }
  if (tp.allowGroups.length > 0 && !tp.groupsHeader && !(tp.assertion && groupsClaim)) {
    issues.push({
      path: `${base}.allowGroups`,
      message: tp.assertion ? 'allowGroups is set, but the assertion has no groups claim, so no user could ever be in a group' : 'allowGroups is set, but no groups source is configured, so no user could ever be in a group',
      fix: tp.assertion ? 'set assertion.groupsClaim to the claim that lists the user\'s groups (the pomerium preset uses "groups"), or use allowUsers' : 'set groupsHeader to the header your proxy puts the user\'s groups in, or use allowUsers',
    });
  }
  return issues;
}
