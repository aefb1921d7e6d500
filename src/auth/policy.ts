/**
 * The auth policy: the part of the config the decision reads, compiled once into lookup
 * structures (CIDR set, allowlist set) so a decision costs the same with 1 or 10,000 entries.
 * One shape per mode; each says, in one place, which request headers it reads and whether a
 * WebSocket is decided at the upgrade or on its `connect` frame.
 */
import type { ValidatedConfig } from '../config/validate.js';
import type { ResolvedAssertion } from '../config/assertion.js';
import { CidrSet } from '../net/cidr.js';
import { FORWARDING_HEADERS } from '../net/client-ip.js';
import { nfc } from './header-text.js';
import { GroupNames } from './group-list.js';

/**
 * Where a WebSocket session is decided: at the upgrade, from the upgrade request's headers
 * (trusted-proxy, none), or on its `connect` frame, from the credential in it (token, password).
 */
export type DecisionPoint = 'upgrade' | 'connect';

interface PolicyBase {
  readonly trustedProxies: CidrSet;
  readonly allowRealIpFallback: boolean;
  readonly decidesAt: DecisionPoint;
  /**
   * Every request header the decision reads in this mode, lowercased: adapters read these (and
   * what their own checks need) and nothing else.
   */
  readonly headers: readonly string[];
  /**
   * The part of `headers` an admitted WebSocket session keeps, so a reload can re-run the
   * decision on it: the identity-bearing headers, never a credential.
   */
  readonly sessionHeaders: readonly string[];
}

export interface TrustedProxyPolicy extends PolicyBase {
  readonly mode: 'trusted-proxy';
  readonly decidesAt: 'upgrade';
  /** Unset only in a config the gateway refuses to start with: no identity can be read, so every request is refused. */
  readonly userHeader: string | undefined;
  readonly requiredHeaders: readonly string[];
  /** Empty set = any authenticated user. Names in NFC, as headers and claims are compared. */
  readonly allowUsers: ReadonlySet<string>;
  /** A user in any of these groups is allowed; with allowUsers also empty, anyone is. */
  readonly allowGroups: ReadonlySet<string>;
  /** Groups from this header, when no assertion is configured. */
  readonly groupsHeader: string | undefined;
  readonly groupsSeparator: string;
  /** Reads the groups header's values with groupsSeparator, remembering each (one per policy). */
  readonly groupNames: GroupNames;
  /** When set, a valid signed assertion is required. */
  readonly assertion: ResolvedAssertion | undefined;
  /** When set, a TLS request is the proxy's only with a client certificate of one of these names (src/auth/source.ts). */
  readonly clientCert: ClientCertPolicy | undefined;
}

/** gateway.auth.trustedProxy.clientCert, compiled. */
export interface ClientCertPolicy {
  /** The names as written: a CN or a URI must equal one exactly. */
  readonly names: ReadonlySet<string>;
  /** The names lowercased: a DNS name matches one regardless of case. */
  readonly dnsNames: ReadonlySet<string>;
}

export interface TokenPolicy extends PolicyBase {
  readonly mode: 'token';
  readonly decidesAt: 'connect';
  /** Unset until a token is configured or generated: every token is refused. */
  readonly token: string | undefined;
}

export interface PasswordPolicy extends PolicyBase {
  readonly mode: 'password';
  readonly decidesAt: 'connect';
  /** Unset only in a config the gateway refuses to start with: every password is refused. */
  readonly password: string | undefined;
}

export interface NonePolicy extends PolicyBase {
  readonly mode: 'none';
  readonly decidesAt: 'upgrade';
}

export type AuthPolicy = TrustedProxyPolicy | TokenPolicy | PasswordPolicy | NonePolicy;

/**
 * The headers token and password modes read: the bearer credential, and the forwarding headers
 * that name the client address the failure limiter counts (and that tell a request came through
 * a proxy: the loopback exemption does not apply to those from an unlisted peer).
 */
const SECRET_MODE_HEADERS: readonly string[] = Object.freeze(['authorization', ...FORWARDING_HEADERS]);

/** Builds the policy of a checked config; cannot fail (everything that could was resolved by checkConfig). */
export function compileAuthPolicy({ config, checks }: ValidatedConfig): AuthPolicy {
  const g = config.gateway;
  const a = g.auth;
  const base = { trustedProxies: new CidrSet(checks.trustedProxies), allowRealIpFallback: g.allowRealIpFallback };
  switch (a.mode) {
    case 'trusted-proxy': {
      const tp = a.trustedProxy;
      const assertion = checks.assertion;
      const identity = [...tp.requiredHeaders];
      if (tp.userHeader) identity.push(tp.userHeader);
      if (tp.groupsHeader) identity.push(tp.groupsHeader);
      if (assertion) identity.push(assertion.header);
      const headers = Object.freeze([...new Set(identity)]);
      return Object.freeze({
        ...base,
        mode: 'trusted-proxy',
        decidesAt: 'upgrade',
        headers,
        sessionHeaders: headers,
        userHeader: tp.userHeader,
        requiredHeaders: Object.freeze([...tp.requiredHeaders]),
        allowUsers: new Set(tp.allowUsers.map((u) => nfc(u.trim()))),
        allowGroups: new Set(tp.allowGroups.map((x) => nfc(x.trim()))),
        groupsHeader: tp.groupsHeader,
        groupsSeparator: tp.groupsSeparator,
        groupNames: new GroupNames(tp.groupsSeparator),
        assertion,
        clientCert: tp.clientCert && Object.freeze({ names: new Set(tp.clientCert.allowedNames.map((n) => n.trim())), dnsNames: new Set(tp.clientCert.allowedNames.map((n) => n.trim().toLowerCase())) }),
      });
    }
    case 'token':
      return Object.freeze({ ...base, mode: 'token', decidesAt: 'connect', headers: SECRET_MODE_HEADERS, sessionHeaders: [], token: a.token });
    case 'password':
      return Object.freeze({ ...base, mode: 'password', decidesAt: 'connect', headers: SECRET_MODE_HEADERS, sessionHeaders: [], password: a.password });
    case 'none':
      return Object.freeze({ ...base, mode: 'none', decidesAt: 'upgrade', headers: [], sessionHeaders: [] });
  }
}

/** Whether the mode checks a shared secret (and so feeds the failure limiter). */
export function usesSecret(policy: AuthPolicy): policy is TokenPolicy | PasswordPolicy {
  return policy.mode === 'token' || policy.mode === 'password';
}
