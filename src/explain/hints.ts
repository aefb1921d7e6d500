/**
 * The parts of `auth explain` that are not the decision itself: steps the decision never reached,
 * and notes that point at the usual mistakes behind a refusal (an underscore header, a user that
 * differs only in case, a proxy on ::1 when 127.0.0.1 is listed).
 */
import type { ResolvedConfig } from '../config/load.js';
import { didYouMean } from '../config/errors.js';
import { usesSecret, type AuthPolicy, type TrustedProxyPolicy } from '../auth/policy.js';
import type { AuthResult, TraceStep } from '../auth/types.js';
import { isLoopbackIp } from '../net/ip.js';
import { carriesForwarding, resolveClientIp } from '../net/client-ip.js';
import { peerLabel, type Via } from '../net/transport.js';
import { fromTrustedProxy } from '../auth/source.js';
import type { ExplainStep } from './types.js';
import { nfc } from '../auth/header-text.js';
import { firstOf } from '../auth/header-values.js';

/** The trusted-proxy steps after a failure, in the decision's fixed order, marked as not reached. */
export function notReached(policy: AuthPolicy, trace: readonly TraceStep[]): ExplainStep[] {
  if (policy.mode !== 'trusted-proxy') return [];
  const plan: ExplainStep[] = [
    { step: 'source', result: 'not-reached', detail: '' },
    ...(policy.clientCert ? [{ step: 'client-cert', result: 'not-reached' as const, detail: '' }] : []),
    ...policy.requiredHeaders.map((header): ExplainStep => ({ step: 'required-header', result: 'not-reached', detail: '', header })),
    { step: 'identity', result: 'not-reached', detail: '', ...(policy.userHeader && { header: policy.userHeader }) },
    ...(policy.assertion ? [{ step: 'assertion', result: 'not-reached' as const, detail: '', header: policy.assertion.header }] : []),
    ...((policy.assertion ? policy.assertion.groupsClaim : policy.groupsHeader) ? [{ step: 'groups', result: 'not-reached' as const, detail: '' }] : []),
    { step: 'allowlist', result: 'not-reached', detail: '' },
  ];
  return plan.slice(trace.length).map((s) => ({ ...s, detail: `${s.header ? `${s.header}: ` : ''}not checked, an earlier step failed` }));
}

export interface HintInput {
  resolved: ResolvedConfig;
  policy: AuthPolicy;
  via: Via;
  headers: Readonly<Record<string, string | string[]>>;
  result: AuthResult;
  /** Whether a bearer credential was presented (its value never reaches this module). */
  bearer: boolean;
}

function sentHeaderLike(name: string, sent: readonly string[]): string | undefined {
  const underscore = sent.find((s) => s !== name && s.replace(/_/g, '-') === name);
  if (underscore) return `"${underscore}" was sent: a name with underscores is a different header and never counts for "${name}"`;
  const close = didYouMean(name, sent.filter((s) => s !== name));
  return close ? `"${close}" was sent; did the proxy mean "${name}"? Names must match exactly` : undefined;
}

function proxyHints(input: HintInput, policy: TrustedProxyPolicy): ExplainStep[] {
  const { via, headers, result } = input;
  const peer = peerLabel(via);
  const out: ExplainStep[] = [];
  const note = (detail: string, extra: Partial<ExplainStep> = {}) => out.push({ step: 'hint', result: 'note', detail, ...extra });
  if (!policy.userHeader) note('gateway.auth.trustedProxy.userHeader is not set: no identity can be read (the gateway would not start)');
  if (result.ok) return out;
  const reason = result.failure.reason;
  const sent = Object.keys(headers);

  if (reason === 'trusted_proxy_untrusted_source') {
    const listed = policy.trustedProxies.entries.map((e) => `"${e.source}"`);
    note(`gateway.trustedProxies is ${listed.length ? listed.join(', ') : 'empty'}; the peer is matched, never X-Forwarded-For`);
    if (isLoopbackIp(peer)) {
      const other = peer === '::1' ? '127.0.0.1' : '::1';
      if (policy.trustedProxies.has(other)) note(`${other} is trusted but ${peer} is not: a proxy on this host may connect over either; list both`);
    }
  } else if (reason === 'trusted_proxy_missing_header' || reason === 'trusted_proxy_user_missing') {
    const name = reason === 'trusted_proxy_missing_header' ? result.failure.header : policy.userHeader;
    const hint = name ? sentHeaderLike(name, sent) : undefined;
    if (hint) note(hint, { header: name });
  } else if (reason === 'trusted_proxy_assertion_missing' && policy.assertion) {
    const hint = sentHeaderLike(policy.assertion.header, sent);
    if (hint) note(hint, { header: policy.assertion.header });
  } else if (reason === 'trusted_proxy_assertion_keys_unavailable') {
    note('the signing keys could not be fetched from here; the gateway fetches them itself, so check from the gateway\'s host too (GET /readyz)');
  } else if (reason === 'trusted_proxy_user_ambiguous') {
    note('a proxy that appends to the client\'s header (instead of overwriting it) produces this; overwrite the identity header in the proxy');
  } else if (reason === 'trusted_proxy_user_not_allowed') {
    const user = nfc(firstOf(policy.userHeader ? headers[policy.userHeader] : undefined)?.trim() ?? '');
    const near = [...policy.allowUsers].find((u) => u.toLowerCase() === user.toLowerCase());
    if (near) note(`allowUsers has "${near}", which differs from "${user}" only in letter case; the match is exact`, { user });
  }
  return out;
}

function secretHints(input: HintInput): ExplainStep[] {
  const { resolved, policy, via, headers } = input;
  const peer = peerLabel(via);
  const rl = resolved.config.gateway.auth.rateLimit;
  const peerTrusted = fromTrustedProxy(via, policy);
  const client = resolveClientIp({ peer, peerTrusted, xForwardedFor: headers['x-forwarded-for'], xRealIp: headers['x-real-ip'] }, policy.trustedProxies, policy.allowRealIpFallback);
  const proxy = via.kind === 'unix' ? 'the proxy on the Unix socket' : `trusted proxy ${peer}`;
  const why =
    client === peer
      ? via.kind === 'unix'
        ? 'every request on the Unix socket without X-Forwarded-For shares this count; have the proxy send X-Forwarded-For'
        : 'the peer itself' + (peerTrusted ? '' : '; X-Forwarded-For is read only from trustedProxies')
      : `read from the forwarding headers of ${proxy}`;
  const none: ExplainStep[] = [];
  if (policy.mode === 'token' && policy.token === undefined) {
    none.push({ step: 'hint', result: 'note', detail: 'no token is configured or kept in the state directory yet: the gateway generates one on its first run, so every token is refused here' });
  }
  // As the gateway does: forwarding headers from an unlisted peer mean an unlisted proxy, whose
  // loopback address stands for every client behind it.
  const unlistedProxy = carriesForwarding(headers) && !peerTrusted;
  const exempt = !(rl.exemptLoopback && isLoopbackIp(client))
    ? ''
    : unlistedProxy
      ? '; it is loopback, but the request carries forwarding headers from an address not in trustedProxies (a proxy the gateway was not told about), so it is not exempt: every client behind that proxy shares this count. List the proxy in gateway.trustedProxies'
      : '; it is loopback, so it is never locked out (rateLimit.exemptLoopback)';
  return [...none, { step: 'client-address', result: 'note', detail: `the failure limiter counts wrong ${policy.mode}s from this request against ${client} (${why})${exempt}` }];
}

/** Notes for the operator, after the decision's own steps. */
export function explainHints(input: HintInput): ExplainStep[] {
  const policy = input.policy;
  const mode = policy.mode;
  const out: ExplainStep[] = [];
  if (policy.mode === 'trusted-proxy') out.push(...proxyHints(input, policy));
  if (usesSecret(policy)) out.push(...secretHints(input));
  // The modes that decide at the upgrade read no credential.
  if (policy.decidesAt === 'upgrade' && input.bearer) {
    out.push({ step: 'hint', result: 'note', detail: `mode "${mode}" ignores the bearer credential` });
  }
  return out;
}
