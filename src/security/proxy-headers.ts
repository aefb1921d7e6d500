/**
 * The request headers a trusted-proxy config makes the gateway believe: the ones the proxy must set
 * or remove on every request, so that a client's own copy never reaches the gateway. The audit
 * lists them in its advice, and the proxy conformance suite forges each one through every recipe.
 */
import type { Config } from '../config/schema.js';
import { mergePreset } from '../config/assertion.js';

export type ProxyHeaderRole = 'user' | 'groups' | 'required' | 'assertion';

export interface ProxyHeader {
  /** Lowercased, as the gateway matches it. */
  readonly name: string;
  readonly role: ProxyHeaderRole;
}

/** What each role is called in the audit's sentences. */
export const ROLE_WORDS: Readonly<Record<ProxyHeaderRole, string>> = Object.freeze({
  user: 'the user',
  groups: 'the groups',
  required: 'required',
  assertion: 'the signed assertion',
});

/**
 * Every header the trusted-proxy decision reads under `config`, each once: the identity header,
 * the groups header (only without an assertion: with one, groups come from the signed token and
 * the header is never read), each required header, and the assertion header (the preset's when
 * none is named). Empty outside trusted-proxy mode. The order is the one the audit prints.
 */
export function proxyDecisionHeaders(config: Config): ProxyHeader[] {
  const a = config.gateway.auth;
  if (a.mode !== 'trusted-proxy') return [];
  const tp = a.trustedProxy;
  const out: ProxyHeader[] = [];
  const add = (name: string | undefined, role: ProxyHeaderRole) => {
    if (name && !out.some((h) => h.name === name)) out.push({ name, role });
  };
  add(tp.userHeader, 'user');
  if (!tp.assertion) add(tp.groupsHeader, 'groups');
  for (const h of tp.requiredHeaders) add(h, 'required');
  if (tp.assertion) add(mergePreset(tp.assertion).header, 'assertion');
  return out;
}

/** "x-forwarded-user (the user), x-forwarded-proto (required)". */
export function describeProxyHeaders(headers: readonly ProxyHeader[]): string {
  return headers.map((h) => `${h.name} (${ROLE_WORDS[h.role]})`).join(', ');
}
