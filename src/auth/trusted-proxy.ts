/**
 * The trusted-proxy decision. Order matters and is part of the contract:
 * source (Unix socket, or address [and client certificate]) -> required headers -> identity header
 * -> [signed assertion] -> groups -> allowlist.
 *
 * Split in two sync, pure halves around the one async step (verifying the assertion's signature):
 * `beginTrustedProxy` runs everything that needs no key, so an untrusted or incomplete request
 * never costs a signature check or a key fetch; `finishTrustedProxy` takes the verification
 * outcome as plain data.
 */
import type { TrustedProxyPolicy } from './policy.js';
import type { AuthFailure } from './reasons.js';
import type { AuthResult, HeaderMap, TraceStep } from './types.js';
import type { AssertionOutcome } from './assertion/verify.js';
import type { Via } from '../net/transport.js';
import { sourceFailure } from './source.js';
import { headerText } from './header-text.js';
import { countOf, firstOf } from './header-values.js';
import type { GroupNames } from './group-list.js';

/** True when no value of the header has anything but whitespace (also when it is absent). */
function allBlank(v: string | readonly string[] | undefined): boolean {
  if (v === undefined) return true;
  if (typeof v === 'string') return v.trim() === '';
  for (const x of v) if (x.trim() !== '') return false;
  return true;
}

/** Passed the steps before the assertion: the identity header's user, and the assertion token when the policy requires one. */
export type ProxyBegin = { ok: false; failure: AuthFailure } | { ok: true; user: string; token: string | undefined };

/** Source, required headers, identity header and (when configured) the assertion header's presence. */
export function beginTrustedProxy(via: Via, headers: HeaderMap, policy: TrustedProxyPolicy, trace?: TraceStep[]): ProxyBegin {
  // 1. The transport: the Unix socket, or the TCP peer (never a forwarding header) and, when
  //    configured, the client certificate (src/auth/source.ts).
  const notProxy = sourceFailure(via, policy, trace);
  if (notProxy) return { ok: false, failure: notProxy };

  // 2. Required headers: present and not blank.
  for (const name of policy.requiredHeaders) {
    const v = headers[name];
    if (allBlank(v)) {
      trace?.push({ step: 'required-header', ok: false, detail: `${name} is ${countOf(v) ? 'blank' : 'missing'}`, header: name });
      return { ok: false, failure: { reason: 'trusted_proxy_missing_header', header: name } };
    }
    trace?.push({ step: 'required-header', ok: true, detail: `${name} is present`, header: name });
  }

  // 3. The identity header: exactly one, non-blank. Names are matched exactly (lowercase,
  //    hyphens): an underscore spelling is a different header and never counts.
  const userHeader = policy.userHeader;
  if (userHeader === undefined) {
    // A config without one is refused at startup; should a policy lack it anyway, no one gets in.
    trace?.push({ step: 'identity', ok: false, detail: 'gateway.auth.trustedProxy.userHeader is not set' });
    return { ok: false, failure: { reason: 'trusted_proxy_user_missing' } };
  }
  const uv = headers[userHeader];
  const count = countOf(uv);
  if (count > 1) {
    trace?.push({ step: 'identity', ok: false, detail: `${userHeader} arrived ${count} times`, header: userHeader });
    return { ok: false, failure: { reason: 'trusted_proxy_user_ambiguous' } };
  }
  // Decoded before trimming: a UTF-8 name may end in byte 0xA0, which read as latin-1 is a
  // no-break space that trim() would cut off.
  const one = count === 1 ? firstOf(uv) : undefined;
  const text = one === undefined ? '' : headerText(one);
  if (text === undefined) {
    trace?.push({ step: 'identity', ok: false, detail: `${userHeader} is not valid UTF-8`, header: userHeader });
    return { ok: false, failure: { reason: 'trusted_proxy_header_invalid_utf8', header: userHeader } };
  }
  const user = text.trim();
  if (!user) {
    trace?.push({ step: 'identity', ok: false, detail: `${userHeader} is ${count ? 'blank' : 'missing'}`, header: userHeader });
    return { ok: false, failure: { reason: 'trusted_proxy_user_missing' } };
  }
  // A comma means something joined two values (a proxy appending to what the client sent);
  // refusing is the only safe answer.
  if (user.includes(',')) {
    trace?.push({ step: 'identity', ok: false, detail: `${userHeader} holds a comma-separated list`, header: userHeader });
    return { ok: false, failure: { reason: 'trusted_proxy_user_ambiguous' } };
  }
  trace?.push({ step: 'identity', ok: true, detail: `${userHeader} = "${user}"`, header: userHeader, user });

  // 4a. The signed assertion must be there, once (a JWT never holds a comma, so one means a join).
  const a = policy.assertion;
  if (!a) return { ok: true, user, token: undefined };
  const tv = headers[a.header];
  const tokens = countOf(tv);
  const sent = tokens === 1 ? firstOf(tv) : undefined;
  if (tokens > 1 || sent?.includes(',')) {
    trace?.push({ step: 'assertion', ok: false, detail: `${a.header} arrived more than once`, header: a.header });
    return { ok: false, failure: { reason: 'trusted_proxy_assertion_ambiguous' } };
  }
  const token = sent?.trim() ?? '';
  if (!token) {
    trace?.push({ step: 'assertion', ok: false, detail: `${a.header} is ${tokens ? 'blank' : 'missing'}`, header: a.header });
    return { ok: false, failure: { reason: 'trusted_proxy_assertion_missing' } };
  }
  return { ok: true, user, token };
}

function listGroups(groups: readonly string[]): string {
  if (groups.length === 0) return 'none';
  const shown = groups.slice(0, 10).map((g) => JSON.stringify(g)).join(', ');
  return groups.length > 10 ? `${shown} and ${groups.length - 10} more` : shown;
}

function groupsFromHeader(name: string, headers: HeaderMap, names: GroupNames, trace?: TraceStep[]): { ok: true; groups: readonly string[] } | { ok: false; failure: AuthFailure } {
  const v = headers[name];
  const count = countOf(v);
  if (count > 1) {
    trace?.push({ step: 'groups', ok: false, detail: `${name} arrived ${count} times`, header: name });
    return { ok: false, failure: { reason: 'trusted_proxy_groups_ambiguous' } };
  }
  const one = count === 1 ? firstOf(v) : undefined;
  const groups = one === undefined ? NO_GROUPS : names.read(one);
  if (groups === undefined) {
    trace?.push({ step: 'groups', ok: false, detail: `${name} is not valid UTF-8`, header: name });
    return { ok: false, failure: { reason: 'trusted_proxy_header_invalid_utf8', header: name } };
  }
  trace?.push({ step: 'groups', ok: true, detail: `from ${name}: ${listGroups(groups)}`, header: name });
  return { ok: true, groups };
}

const NO_GROUPS: readonly string[] = Object.freeze([]);

/**
 * The rest of the decision: the assertion outcome (when the policy requires one), groups, and the
 * allowlist. `headerUser` is what beginTrustedProxy returned.
 */
export function finishTrustedProxy(headerUser: string, headers: HeaderMap, policy: TrustedProxyPolicy, assertion: AssertionOutcome | undefined, trace?: TraceStep[]): AuthResult {
  let user = headerUser;
  let groups: readonly string[] = [];
  if (policy.assertion) {
    // 4b. Verified: the identity is the signed claim; groups come only from the token.
    if (!assertion) {
      trace?.push({ step: 'assertion', ok: false, detail: 'the assertion was not verified', header: policy.assertion.header });
      return { ok: false, failure: { reason: 'trusted_proxy_assertion_invalid', why: 'unverified' } };
    }
    trace?.push({ step: 'assertion', ok: assertion.ok, detail: assertion.detail, header: policy.assertion.header, ...(assertion.ok && { user: assertion.user }) });
    if (!assertion.ok) return { ok: false, failure: assertion.failure };
    user = assertion.user;
    groups = assertion.groups;
    if (policy.assertion.groupsClaim) trace?.push({ step: 'groups', ok: true, detail: `from claim "${policy.assertion.groupsClaim}": ${listGroups(groups)}` });
  } else if (policy.groupsHeader) {
    const g = groupsFromHeader(policy.groupsHeader, headers, policy.groupNames, trace);
    if (!g.ok) return g;
    groups = g.groups;
  }

  // 5. Allowlist: a listed user, or a member of a listed group. Both lists empty: anyone.
  const identity = { user, method: 'trusted-proxy' as const, groups };
  if (policy.allowUsers.size === 0 && policy.allowGroups.size === 0) {
    trace?.push({ step: 'allowlist', ok: true, detail: 'allowUsers and allowGroups are empty: any authenticated user is allowed', user });
    return { ok: true, identity };
  }
  if (policy.allowUsers.has(user)) {
    trace?.push({ step: 'allowlist', ok: true, detail: `"${user}" is in allowUsers`, user });
    return { ok: true, identity };
  }
  const group = groups.find((x) => policy.allowGroups.has(x));
  if (group !== undefined) {
    trace?.push({ step: 'allowlist', ok: true, detail: `"${user}" is in group "${group}", listed in allowGroups`, user });
    return { ok: true, identity };
  }
  trace?.push({
    step: 'allowlist',
    ok: false,
    detail: `"${user}" is not in allowUsers (${policy.allowUsers.size} entries) nor in a group of allowGroups (${policy.allowGroups.size} entries; user has ${groups.length} group(s))`,
    user,
  });
  return { ok: false, failure: { reason: 'trusted_proxy_user_not_allowed' } };
}

/** The whole decision, sync; with an assertion policy, `assertion` is the verification outcome. */
export function authorizeTrustedProxy(via: Via, headers: HeaderMap, policy: TrustedProxyPolicy, trace?: TraceStep[], assertion?: AssertionOutcome): AuthResult {
  const begun = beginTrustedProxy(via, headers, policy, trace);
  if (!begun.ok) return begun;
  return finishTrustedProxy(begun.user, headers, policy, assertion, trace);
}
