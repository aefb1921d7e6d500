/**
 * `mayros auth explain`: runs the gateway's own decision function on a described request and
 * returns every step, the outcome and what the gateway would send, as data. Works on configs the
 * gateway would refuse to start with (it says so and explains anyway).
 */
import type { ResolvedConfig } from '../config/load.js';
import type { ConfigIssue } from '../config/errors.js';
import type { AuthMode } from '../config/schema.js';
import { validateForStartup } from '../config/validate.js';
import { authorize } from '../auth/authorize.js';
import { compileAuthPolicy, type AuthPolicy } from '../auth/policy.js';
import { REASONS, docsAnchor, wireCode } from '../auth/reasons.js';
import type { HeaderMap, TraceStep } from '../auth/types.js';
import { parseCidr } from '../net/cidr.js';
import { parseIp } from '../net/ip.js';
import { originAllowed } from '../gateway/origin.js';
import { compileHostCheck } from '../gateway/host.js';
import { parseBearer } from '../gateway/request.js';
import { explainHints, notReached } from './explain-hints.js';
import type { AssertionOutcome } from '../auth/assertion/verify.js';
import { ConfigError } from '../config/errors.js';
import { wireForm } from '../auth/header-text.js';
import { explainIdentityScopes, type ExplainedScopes } from './explain-scopes.js';

export interface ExplainRequest {
  /** The TCP peer address the gateway would see. */
  from: string;
  /** Headers as `Name: value`; a repeated name is kept as several values. */
  headers?: readonly string[];
  /** A bearer credential (never echoed). Without it, a single `Authorization: Bearer` header is used. */
  bearer?: string;
}

/** pass/fail: a decision step; not-reached: skipped after a failure; note: context, no decision. */
export type StepResult = 'pass' | 'fail' | 'not-reached' | 'note';

export interface ExplainStep {
  step: string;
  result: StepResult;
  detail: string;
  entry?: string;
  header?: string;
  user?: string;
}

export interface ExplainOutcome {
  /** The auth decision (what an HTTP request gets). */
  ok: boolean;
  user?: string | null;
  method?: AuthMode;
  /** When admitted: the user's groups (empty without a groups source). */
  groups?: readonly string[];
  /** When admitted: the operator scopes, sorted and expanded (gateway.authorization). */
  scopes?: ExplainedScopes['scopes'];
  /** When admitted: for each scope, every source that grants it (a rule, or the default). */
  grants?: ExplainedScopes['grants'];
  /** When admitted: whether the default comes from gateway.authorization.defaultScopes or the auth mode. */
  defaultScopesFrom?: ExplainedScopes['defaultScopesFrom'];
  /** For a refusal: the reason, its wire code, and the sentences the gateway sends. */
  reason?: string;
  code?: string;
  message?: string;
  fix?: string;
  docs?: string;
  http: { status: number; errorType?: string };
  /** A WebSocket also passes the browser origin check first; refusals close the socket. */
  websocket: { admitted: boolean; code?: string; closeCode?: number; stage?: 'upgrade' | 'connect' };
}

export interface Explanation {
  file: string;
  mode: AuthMode;
  /** Why the gateway would refuse to start with this config; empty when it would start. */
  startupIssues: ConfigIssue[];
  request: { from: string; headers: Record<string, string | string[]>; bearer: 'presented' | 'absent' };
  steps: ExplainStep[];
  outcome: ExplainOutcome;
}

/** Thrown for a described request that cannot be sent (bad address, malformed header). */
export class ExplainInputError extends Error {
  override name = 'ExplainInputError';
}

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
/** Header values shown as "(hidden)": credentials a proxy or client may send. */
const SECRET_HEADER = /authorization|cookie|token|secret|password|assertion|api-?key/i;

/** Parses `Name: value` arguments into a header map (names lowercased, repeats kept as arrays). */
export function parseHeaderArgs(args: readonly string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const arg of args) {
    const colon = arg.indexOf(':');
    const name = colon > 0 ? arg.slice(0, colon).trim() : '';
    if (!name || !HEADER_NAME.test(name)) {
      throw new ExplainInputError(`--header "${arg.length > 60 ? `${arg.slice(0, 60)}...` : arg}" is not "Name: value"; write e.g. --header 'X-Forwarded-User: nick@example.com'`);
    }
    const key = name.toLowerCase();
    const value = arg.slice(colon + 1).trim();
    const prev = out[key];
    out[key] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value];
  }
  return out;
}

/**
 * The headers as the gateway would receive them: each value's UTF-8 bytes, one char per byte, as
 * Node hands them over. Command-line arguments are text; a proxy sends bytes. Deciding on the bytes
 * makes explain and the gateway agree on names that are not ASCII.
 */
export function wireHeaders(headers: Record<string, string | string[]>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = Array.isArray(v) ? v.map(wireForm) : wireForm(v);
  return out;
}

function redacted(headers: Record<string, string | string[]>): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, SECRET_HEADER.test(k) ? (Array.isArray(v) ? v.map(() => '(hidden)') : '(hidden)') : v]));
}

/**
 * The policy the gateway would compile, minus what it cannot compile (it would not start with it):
 * trustedProxies entries that are not addresses, and assertion settings that do not resolve.
 */
export function policyOf(resolved: ResolvedConfig): { policy: AuthPolicy; ignored: string[]; assertionDropped: boolean } {
  const entries = resolved.config.gateway.trustedProxies;
  const ignored = entries.filter((e) => !parseCidr(e).ok);
  const copy = structuredClone(resolved.config);
  copy.gateway.trustedProxies = entries.filter((e) => parseCidr(e).ok);
  try {
    return { policy: compileAuthPolicy(copy), ignored, assertionDropped: false };
  } catch (err) {
    if (!(err instanceof ConfigError) || !copy.gateway.auth.trustedProxy.assertion) throw err;
    delete copy.gateway.auth.trustedProxy.assertion;
    return { policy: compileAuthPolicy(copy), ignored, assertionDropped: true };
  }
}

function fromTrace(t: TraceStep): ExplainStep {
  const { step, ok, detail, entry, header, user } = t;
  return { step, result: ok ? 'pass' : 'fail', detail, ...(entry !== undefined && { entry }), ...(header !== undefined && { header }), ...(user !== undefined && { user }) };
}

/**
 * Explains how the gateway running `resolved` would decide the described request. With a signed
 * assertion configured, `assertion` is the outcome of verifying the request's token
 * (explainAssertion); without it the assertion step fails closed, as in the gateway.
 */
export function explainRequest(resolved: ResolvedConfig, req: ExplainRequest, assertion?: AssertionOutcome): Explanation {
  const ip = parseIp(req.from);
  if (!ip) throw new ExplainInputError(`--from "${req.from}" is not an IP address; give the address the request reaches the gateway from, e.g. --from 127.0.0.1`);
  const headers = parseHeaderArgs(req.headers ?? []);
  const auth = headers['authorization'];
  const bearer = req.bearer ?? parseBearer(auth === undefined ? undefined : Array.isArray(auth) ? auth : [auth]);
  const { policy, ignored, assertionDropped } = policyOf(resolved);
  const config = resolved.config;
  const mode = config.gateway.auth.mode;

  const trace: TraceStep[] = [];
  const headerMap: HeaderMap = wireHeaders(headers);
  // The Host check comes before everything but the health probes (DNS-rebinding defence).
  const hosts = compileHostCheck(config);
  const hostChecked = headers['host'] !== undefined && hosts.enforced;
  const hostOk = !hostChecked || hosts.allows(headerMap['host']);
  const decided = authorize({ peer: ip.text, headers: headerMap, credentials: bearer === undefined ? {} : { bearer }, surface: 'http', assertion }, policy, trace);

  const steps: ExplainStep[] = [{ step: 'mode', result: 'note', detail: `gateway.auth.mode is "${mode}"` }];
  if (ignored.length) {
    steps.push({ step: 'config', result: 'note', detail: `trustedProxies entries that are not addresses are ignored here (the gateway would not start with them): ${ignored.map((e) => `"${e}"`).join(', ')}` });
  }
  if (assertionDropped) {
    steps.push({ step: 'config', result: 'note', detail: 'gateway.auth.trustedProxy.assertion is invalid (see the startup issues), so its step is left out here; the gateway would not start' });
  }
  if (hostChecked) {
    steps.push({
      step: 'host',
      result: hostOk ? 'pass' : 'fail',
      detail: hostOk
        ? 'the Host is a loopback name or in gateway.allowedHosts'
        : 'the Host is neither a loopback name nor in gateway.allowedHosts: the gateway refuses the request before authentication (DNS-rebinding defence)',
      header: 'host',
    });
  }
  const result: typeof decided = hostOk ? decided : { ok: false, failure: { reason: 'host_not_allowed' } };
  // Scopes are decided for an admitted identity only, as the gateway does.
  const authz = result.ok ? explainIdentityScopes(config, result.identity) : undefined;
  if (hostOk) steps.push(...trace.map(fromTrace), ...notReached(policy, trace), ...explainHints({ resolved, policy, peer: ip.text, headers, result, bearer: bearer !== undefined }), ...(authz?.hints ?? []));
  else steps.push(...trace.map((t): ExplainStep => ({ ...fromTrace(t), result: 'not-reached', detail: 'not checked, the Host was refused' })));

  let websocket: ExplainOutcome['websocket'];
  const originOk = originAllowed({ headers: headerMap, peerIsTrustedProxy: policy.trustedProxies.has(ip), allowedOrigins: config.gateway.controlUi.allowedOrigins });
  if (headers['origin'] !== undefined) {
    steps.push({
      step: 'origin',
      result: originOk ? 'pass' : 'fail',
      detail: originOk
        ? 'WebSocket only: the Origin is the gateway\'s own (scheme, host and port) or listed in gateway.controlUi.allowedOrigins'
        : 'WebSocket only: the Origin is neither the gateway\'s own (scheme from a trusted proxy\'s X-Forwarded-Proto, else http; host and port) nor in gateway.controlUi.allowedOrigins, so a browser WebSocket is refused before authentication',
      header: 'origin',
    });
  }
  if (!hostOk) websocket = { admitted: false, code: 'host_not_allowed', closeCode: REASONS.host_not_allowed.closeCode, stage: 'upgrade' };
  else if (!originOk) websocket = { admitted: false, code: 'origin_not_allowed', closeCode: REASONS.origin_not_allowed.closeCode, stage: 'upgrade' };
  else if (result.ok) websocket = { admitted: true };
  else {
    // Trusted-proxy mode decides at the upgrade; the secret modes on the connect frame.
    const stage = mode === 'trusted-proxy' ? 'upgrade' : 'connect';
    websocket = { admitted: false, code: wireCode(result.failure), closeCode: REASONS[result.failure.reason].closeCode, stage };
  }

  let outcome: ExplainOutcome;
  if (result.ok) {
    outcome = { ok: true, user: result.identity.user, method: result.identity.method, groups: result.identity.groups, ...authz!.scopes, http: { status: 200 }, websocket };
  } else {
    const info = REASONS[result.failure.reason];
    outcome = {
      ok: false,
      reason: result.failure.reason,
      code: wireCode(result.failure),
      message: info.message,
      fix: info.fix,
      docs: `docs/troubleshooting.md#${docsAnchor(result.failure.reason)}`,
      http: { status: info.status, errorType: info.type },
      websocket,
    };
  }

  return {
    file: resolved.file,
    mode,
    startupIssues: validateForStartup(config),
    request: { from: ip.text, headers: redacted(headers), bearer: bearer === undefined ? 'absent' : 'presented' },
    steps,
    outcome,
  };
}
