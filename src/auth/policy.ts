/**
 * The auth policy: the part of the config the decision reads, compiled once into lookup
 * structures (CIDR set, allowlist set) so a decision costs the same with 1 or 10,000 entries.
 */
import type { Config, AuthMode } from '../config/schema.js';
import { CidrSet } from '../net/cidr.js';
import { resolveAssertion, type ResolvedAssertion } from '../config/assertion.js';
import { ConfigError } from '../config/errors.js';
import { nfc } from './header-text.js';

export interface AuthPolicy {
  readonly mode: AuthMode;
  readonly trustedProxies: CidrSet;
  readonly allowRealIpFallback: boolean;
  readonly userHeader: string | undefined;
  readonly requiredHeaders: readonly string[];
  /** Empty set = any authenticated user. Names in NFC, as headers and claims are compared. */
  readonly allowUsers: ReadonlySet<string>;
  /** A user in any of these groups is allowed; with allowUsers also empty, anyone is. */
  readonly allowGroups: ReadonlySet<string>;
  /** Groups from this header, when no assertion is configured. */
  readonly groupsHeader: string | undefined;
  readonly groupsSeparator: string;
  /** When set, a valid signed assertion is required in trusted-proxy mode. */
  readonly assertion: ResolvedAssertion | undefined;
  readonly token: string | undefined;
  readonly password: string | undefined;
}

/** Throws ConfigError when the assertion settings do not resolve (startup validation reports the same). */
export function compileAuthPolicy(config: Config): AuthPolicy {
  const g = config.gateway;
  const a = g.auth;
  const tp = a.trustedProxy;
  let assertion: ResolvedAssertion | undefined;
  if (tp.assertion) {
    const r = resolveAssertion(tp.assertion);
    if (!r.ok) throw new ConfigError(r.issues);
    assertion = r.value;
  }
  return Object.freeze({
    mode: a.mode,
    trustedProxies: new CidrSet(g.trustedProxies),
    allowRealIpFallback: g.allowRealIpFallback,
    userHeader: a.trustedProxy.userHeader,
    requiredHeaders: Object.freeze([...a.trustedProxy.requiredHeaders]),
    allowUsers: new Set(tp.allowUsers.map((u) => nfc(u.trim()))),
    allowGroups: new Set(tp.allowGroups.map((x) => nfc(x.trim()))),
    groupsHeader: tp.groupsHeader,
    groupsSeparator: tp.groupsSeparator,
    assertion,
    token: a.token,
    password: a.password,
  });
}
