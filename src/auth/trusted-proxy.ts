/**
 * The trusted-proxy decision. Order matters and is part of the contract:
 * source address -> required headers -> identity header -> allowlist.
 */
import type { AuthPolicy } from './policy.js';
import type { AuthResult, HeaderMap, TraceStep } from './types.js';
import { parseIp } from '../net/ip.js';

function headerValues(headers: HeaderMap, name: string): readonly string[] {
  const v = headers[name];
  if (v === undefined) return [];
  return typeof v === 'string' ? [v] : v;
}

export function authorizeTrustedProxy(peer: string, headers: HeaderMap, policy: AuthPolicy, trace?: TraceStep[]): AuthResult {
  // 1. The TCP peer, never a forwarding header.
  const ip = parseIp(peer);
  const entry = ip ? policy.trustedProxies.match(ip) : undefined;
  if (!entry) {
    trace?.push({ step: 'source', ok: false, detail: `peer ${ip?.text ?? peer} matches no gateway.trustedProxies entry` });
    return { ok: false, failure: { reason: 'trusted_proxy_untrusted_source' } };
  }
  trace?.push({ step: 'source', ok: true, detail: `peer ${ip!.text} matches trustedProxies entry "${entry.source}"`, entry: entry.source });

  // 2. Required headers: present and not blank.
  for (const name of policy.requiredHeaders) {
    const values = headerValues(headers, name);
    if (values.length === 0 || values.every((v) => v.trim() === '')) {
      trace?.push({ step: 'required-header', ok: false, detail: `${name} is ${values.length ? 'blank' : 'missing'}`, header: name });
      return { ok: false, failure: { reason: 'trusted_proxy_missing_header', header: name } };
    }
    trace?.push({ step: 'required-header', ok: true, detail: `${name} is present`, header: name });
  }

  // 3. The identity header: exactly one, non-blank. Names are matched exactly (lowercase,
  //    hyphens): an underscore spelling is a different header and never counts.
  const userHeader = policy.userHeader!;
  const values = headerValues(headers, userHeader);
  if (values.length > 1) {
    trace?.push({ step: 'identity', ok: false, detail: `${userHeader} arrived ${values.length} times`, header: userHeader });
    return { ok: false, failure: { reason: 'trusted_proxy_user_ambiguous' } };
  }
  const user = values.length === 1 ? values[0]!.trim() : '';
  if (!user) {
    trace?.push({ step: 'identity', ok: false, detail: `${userHeader} is ${values.length ? 'blank' : 'missing'}`, header: userHeader });
    return { ok: false, failure: { reason: 'trusted_proxy_user_missing' } };
  }
  // A comma means something joined two values (a proxy appending to what the client sent);
  // refusing is the only safe answer.
  if (user.includes(',')) {
    trace?.push({ step: 'identity', ok: false, detail: `${userHeader} holds a comma-separated list`, header: userHeader });
    return { ok: false, failure: { reason: 'trusted_proxy_user_ambiguous' } };
  }
  trace?.push({ step: 'identity', ok: true, detail: `${userHeader} = "${user}"`, header: userHeader, user });

  // 4. Allowlist.
  if (policy.allowUsers.size > 0 && !policy.allowUsers.has(user)) {
    trace?.push({ step: 'allowlist', ok: false, detail: `"${user}" is not in allowUsers (${policy.allowUsers.size} entries)`, user });
    return { ok: false, failure: { reason: 'trusted_proxy_user_not_allowed' } };
  }
  trace?.push({
    step: 'allowlist',
    ok: true,
    detail: policy.allowUsers.size ? `"${user}" is in allowUsers` : 'allowUsers is empty: any authenticated user is allowed',
    user,
  });
  return { ok: true, identity: { user, method: 'trusted-proxy' } };
}
