/**
 * `mayros auth explain`: runs the gateway's own decision function on a described request and
 * returns every step, the outcome and what the gateway would send, as data. Works on configs the
 * gateway would refuse to start with (it says so and explains anyway).
 */
import type { ResolvedConfig } from '../config/load.js';
import { authorize } from '../auth/authorize.js';
import { compileAuthPolicy } from '../auth/policy.js';
import { REASONS, docsAnchor, wireCode } from '../protocol/reasons.js';
import type { Refusal } from '../auth/reasons.js';
import type { Identity } from '../protocol/identity.js';
import type { HeaderMap, TraceStep } from '../auth/types.js';
import { originAllowed } from '../auth/origin.js';
import { fromTrustedProxy } from '../auth/source.js';
import { describeCertNames } from '../net/cert-names.js';
import { explainVia } from './via.js';
import { compileHostCheck } from '../auth/host.js';
import { parseBearer } from '../auth/bearer.js';
import { explainHints, notReached } from './hints.js';
import { explainIdentityScopes } from './scopes.js';
import { parseHeaderArgs, redacted, wireHeaders } from './input.js';
import type { ExplainOutcome, ExplainRequest, ExplainStep, Explanation } from './types.js';
import type { AssertionOutcome } from '../auth/assertion/verify.js';

/**
 * What the policy the gateway would compile leaves out of a config it would not start with:
 * trustedProxies entries that are not addresses, and assertion settings that do not resolve.
 */
function leftOut({ config, checks }: ResolvedConfig): { ignored: string[]; assertionDropped: boolean } {
  const valid = new Set(checks.trustedProxies);
  return {
    ignored: config.gateway.trustedProxies.filter((e) => !valid.has(e)),
    assertionDropped: config.gateway.auth.trustedProxy.assertion !== undefined && checks.assertion === undefined,
  };
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
export function explainRequest(resolved: ResolvedConfig, req: ExplainRequest, assertion?: AssertionOutcome, now?: Date): Explanation {
  const { via, from, notes } = explainVia(resolved, req, now);
  const headers = parseHeaderArgs(req.headers ?? []);
  const auth = headers['authorization'];
  const bearer = req.bearer ?? parseBearer(auth === undefined ? undefined : Array.isArray(auth) ? auth : [auth]);
  const policy = compileAuthPolicy(resolved);
  const { ignored, assertionDropped } = leftOut(resolved);
  const config = resolved.config;
  const mode = config.gateway.auth.mode;

  const trace: TraceStep[] = [];
  const headerMap: HeaderMap = wireHeaders(headers);
  // The Host check comes before everything but the health probes (DNS-rebinding defence).
  const hosts = compileHostCheck(resolved);
  const hostChecked = headers['host'] !== undefined && hosts.enforced;
  const hostOk = !hostChecked || hosts.allows(headerMap['host']);
  const decided = authorize({ via, headers: headerMap, credentials: bearer === undefined ? {} : { bearer }, surface: 'http', assertion }, policy, trace);

  const steps: ExplainStep[] = [{ step: 'mode', result: 'note', detail: `gateway.auth.mode is "${mode}"` }, ...notes];
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
  const result: { ok: true; identity: Identity } | { ok: false; failure: Refusal } = hostOk ? decided : { ok: false, failure: { reason: 'host_not_allowed' } };
  // Scopes are decided for an admitted identity only, as the gateway does.
  const authz = result.ok ? explainIdentityScopes(config, result.identity) : undefined;
  if (hostOk) steps.push(...trace.map(fromTrace), ...notReached(policy, trace), ...explainHints({ resolved, policy, via, headers, result: decided, bearer: bearer !== undefined }), ...(authz?.hints ?? []));
  else steps.push(...trace.map((t): ExplainStep => ({ ...fromTrace(t), result: 'not-reached', detail: 'not checked, the Host was refused' })));

  let websocket: ExplainOutcome['websocket'];
  const originOk = originAllowed({ headers: headerMap, peerIsTrustedProxy: fromTrustedProxy(via, policy), allowedOrigins: config.gateway.controlUi.allowedOrigins });
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
    websocket = { admitted: false, code: wireCode(result.failure), closeCode: REASONS[result.failure.reason].closeCode, stage: policy.decidesAt };
  }

  let outcome: ExplainOutcome;
  if (result.ok) {
    outcome = { ok: true, user: result.identity.user, method: result.identity.method, groups: result.identity.groups, ...authz?.scopes, http: { status: 200 }, websocket };
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
    startupIssues: [...resolved.checks.issues],
    request: {
      from,
      transport: via.kind,
      ...(via.kind === 'tls' && { clientCert: via.cert.state === 'valid' ? `valid: ${describeCertNames(via.cert.names)}` : via.cert.state === 'invalid' ? `invalid (${via.cert.why})` : 'none presented' }),
      headers: redacted(headers),
      bearer: bearer === undefined ? 'absent' : 'presented',
    },
    steps,
    outcome,
  };
}
