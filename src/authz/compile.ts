/**
 * Compiles `gateway.authorization` (and the auth mode, which picks the default) once into lookup
 * tables: user -> scopes, group -> scopes. A decision then costs one lookup per name the identity
 * carries, however many rules there are.
 */
import type { AuthMode, Config } from '../config/schema.js';
import { nfc } from '../auth/header-text.js';
import { impliedMask, maskOf, type ScopeMask } from '../protocol/scopes.js';
import type { Scope } from '../protocol/scopes.js';

/**
 * What an admitted identity gets when the config sets no defaultScopes. The secret modes and
 * "none" have one identity, which owns the gateway (whoever holds the secret, or whoever can reach a
 * loopback-only gateway that asks for nothing); behind a proxy every admitted person may read and
 * chat, and nobody may change the gateway until the operator names an admin.
 */
export const MODE_DEFAULT_SCOPES: Readonly<Record<AuthMode, readonly Scope[]>> = Object.freeze({
  token: Object.freeze(['operator.admin'] as const),
  password: Object.freeze(['operator.admin'] as const),
  none: Object.freeze(['operator.admin'] as const),
  'trusted-proxy': Object.freeze(['operator.read', 'operator.write'] as const),
});

/** One rule as written, its names in NFC (the form identities and groups are compared in). */
export interface CompiledRule {
  /** Position in gateway.authorization.rules. */
  readonly index: number;
  readonly users: readonly string[];
  readonly groups: readonly string[];
  /** The scopes as written (not expanded). */
  readonly scopes: readonly Scope[];
  readonly mask: ScopeMask;
}

export interface CompiledAuthorization {
  readonly mode: AuthMode;
  /** Granted to every admitted identity (expanded). */
  readonly defaultMask: ScopeMask;
  /** The default scopes as written, or the mode's. */
  readonly defaultScopes: readonly Scope[];
  /** Where the default comes from: `gateway.authorization.defaultScopes`, or the auth mode. */
  readonly defaultFrom: 'defaultScopes' | 'mode';
  /** User (NFC) -> union of every rule naming it (expanded). */
  readonly users: ReadonlyMap<string, ScopeMask>;
  /** Group (NFC) -> union of every rule naming it (expanded). */
  readonly groups: ReadonlyMap<string, ScopeMask>;
  /** The rules, for explaining a decision (never read by scopesFor). */
  readonly rules: readonly CompiledRule[];
}

function merge(map: Map<string, ScopeMask>, name: string, mask: ScopeMask): void {
  map.set(name, (map.get(name) ?? 0) | mask);
}

/**
 * Compiles the section of a schema-checked config; never throws. Names are trimmed (the schema
 * did) and put in NFC, as the allowlist is (src/auth/policy.ts).
 */
export function compileAuthorization(config: Config): CompiledAuthorization {
  const mode = config.gateway.auth.mode;
  const section = config.gateway.authorization;
  const users = new Map<string, ScopeMask>();
  const groups = new Map<string, ScopeMask>();
  const rules = (section?.rules ?? []).map((r, index): CompiledRule => {
    const mask = maskOf(r.scopes);
    const ruleUsers = (r.users ?? []).map((u) => nfc(u.trim()));
    const ruleGroups = (r.groups ?? []).map((g) => nfc(g.trim()));
    for (const u of ruleUsers) merge(users, u, mask);
    for (const g of ruleGroups) merge(groups, g, mask);
    return Object.freeze({ index, users: Object.freeze(ruleUsers), groups: Object.freeze(ruleGroups), scopes: Object.freeze([...r.scopes]), mask });
  });
  const configured = section?.defaultScopes;
  const defaultScopes = configured ? Object.freeze([...configured]) : MODE_DEFAULT_SCOPES[mode];
  let defaultMask = 0;
  for (const s of defaultScopes) defaultMask |= impliedMask(s);
  return Object.freeze({
    mode,
    defaultMask,
    defaultScopes,
    defaultFrom: configured ? 'defaultScopes' : 'mode',
    users,
    groups,
    rules: Object.freeze(rules),
  });
}
