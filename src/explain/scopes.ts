/**
 * The scopes part of `mayros auth explain`: for an admitted identity, its operator scopes and which
 * rule (or the default) granted each, decided by src/authz/ exactly as the gateway decides them,
 * plus a hint for the usual reason a rule does not match (letter case).
 */
import type { Config } from '../config/schema.js';
import { compileAuthorization } from '../authz/compile.js';
import type { ScopeSubject } from '../authz/decide.js';
import { explainScopes, type Grant } from '../authz/explain.js';
import type { ScopeList } from '../protocol/scopes.js';
import type { ExplainStep } from './types.js';

export interface ExplainedScopes {
  /** Sorted and expanded, as the gateway reports them (hello-ok, /api/whoami). */
  scopes: ScopeList;
  /** Scope by scope, every source that grants it. */
  grants: readonly Grant[];
  /** Where a grant with source "default" comes from: gateway.authorization.defaultScopes, or the auth mode. */
  defaultScopesFrom: 'defaultScopes' | 'mode';
}

/** The scopes of an admitted identity, with their sources, and hint steps for near-miss rules. */
export function explainIdentityScopes(config: Config, identity: ScopeSubject): { scopes: ExplainedScopes; hints: ExplainStep[] } {
  const compiled = compileAuthorization(config);
  const e = explainScopes(identity, compiled);
  const hints: ExplainStep[] = [];
  const user = identity.user;
  if (user !== null) {
    const lower = user.toLowerCase();
    for (const r of compiled.rules) {
      if (r.users.includes(user)) continue;
      const near = r.users.find((u) => u.toLowerCase() === lower);
      if (near !== undefined) {
        hints.push({
          step: 'hint',
          result: 'note',
          detail: `gateway.authorization.rules[${r.index}] names "${near}", which differs from "${user}" only in letter case: names are matched exactly, so that rule does not apply`,
        });
      }
    }
  }
  return { scopes: { scopes: e.scopes, grants: e.grants, defaultScopesFrom: compiled.defaultFrom }, hints };
}

/** One grant's source for a person: "gateway.authorization.rules[0] (user "alice@example.com")". */
export function describeGrantSource(g: Grant, defaultScopesFrom: ExplainedScopes['defaultScopesFrom'], mode: string): string {
  const via = g.impliedBy ? `, via ${g.impliedBy}` : '';
  if (g.source === 'default') return `${defaultScopesFrom === 'mode' ? `the ${mode} mode default` : 'gateway.authorization.defaultScopes'}${via}`;
  const what = 'user' in g.source ? `user "${g.source.user}"` : `group "${g.source.group}"`;
  return `gateway.authorization.rules[${g.source.rule}] (${what}${via})`;
}
