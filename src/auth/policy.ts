/**
 * The auth policy: the part of the config the decision reads, compiled once into lookup
 * structures (CIDR set, allowlist set) so a decision costs the same with 1 or 10,000 entries.
 */
import type { Config, AuthMode } from '../config/schema.js';
import { CidrSet } from '../net/cidr.js';

export interface AuthPolicy {
  readonly mode: AuthMode;
  readonly trustedProxies: CidrSet;
  readonly allowRealIpFallback: boolean;
  readonly userHeader: string | undefined;
  readonly requiredHeaders: readonly string[];
  /** Empty set = any authenticated user. */
  readonly allowUsers: ReadonlySet<string>;
  readonly token: string | undefined;
  readonly password: string | undefined;
}

export function compileAuthPolicy(config: Config): AuthPolicy {
  const g = config.gateway;
  const a = g.auth;
  return Object.freeze({
    mode: a.mode,
    trustedProxies: new CidrSet(g.trustedProxies),
    allowRealIpFallback: g.allowRealIpFallback,
    userHeader: a.trustedProxy.userHeader,
    requiredHeaders: Object.freeze([...a.trustedProxy.requiredHeaders]),
    allowUsers: new Set(a.trustedProxy.allowUsers.map((u) => u.trim())),
    token: a.token,
    password: a.password,
  });
}
