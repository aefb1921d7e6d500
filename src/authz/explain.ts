/**
 * Why an identity has its scopes: every (scope, source) pair, for `mayros auth explain`. Walks the
 * rules (O(rules)); the gateway's own decision is scopesFor, and a test keeps the two equal.
 */
import type { CompiledAuthorization, CompiledRule } from './compile.js';
import type { ScopeSubject } from './decide.js';
import { hasScope, impliedMask, listOf, type Scope, type ScopeList, type ScopeMask } from '../protocol/scopes.js';

/** A rule that matched, and the name it matched on (the user, or one of the identity's groups). */
export type RuleMatch = { readonly rule: number; readonly user: string } | { readonly rule: number; readonly group: string };

/** One source granting one scope. */
export interface Grant {
  readonly scope: Scope;
  /** The defaults (`CompiledAuthorization.defaultFrom` says whose), or a rule. */
  readonly source: 'default' | RuleMatch;
  /** Set when the source names a stronger scope that implies this one (admin -> write -> read). */
  readonly impliedBy?: Scope;
}

/** An identity's scopes with every source of each (what `mayros auth explain` prints). */
export interface ScopeExplanation {
  /** Exactly what scopesFor returns. */
  readonly scopes: ScopeList;
  /** Scope by scope (in the order of `scopes`), every source that grants it. */
  readonly grants: readonly Grant[];
}

/** Of the scopes written at a source, the one that grants `scope`: itself if written, else the weakest that implies it. */
function grantingScope(written: readonly Scope[], scope: Scope): Scope | undefined {
  if (written.includes(scope)) return scope;
  let best: Scope | undefined;
  for (const w of written) {
    if (hasScope(impliedMask(w), scope) && (best === undefined || hasScope(impliedMask(best), w))) best = w;
  }
  return best;
}

/** The rule's match on this identity: on the user when it names the user, else on the first of its groups the identity is in. */
function matchOf(rule: CompiledRule, subject: ScopeSubject, groups: ReadonlySet<string>): RuleMatch | undefined {
  if (subject.user !== null && rule.users.includes(subject.user)) return { rule: rule.index, user: subject.user };
  const group = rule.groups.find((g) => groups.has(g));
  return group === undefined ? undefined : { rule: rule.index, group };
}

/**
 * The scopes of an identity with their sources. Same inputs as scopesFor, same `scopes`; a rule
 * that names both the user and one of its groups is reported once, on the user.
 */
export function explainScopes(subject: ScopeSubject, compiled: CompiledAuthorization): ScopeExplanation {
  const groups = new Set(subject.groups);
  const sources: Array<{ source: Grant['source']; written: readonly Scope[]; mask: ScopeMask }> = [];
  if (compiled.defaultMask !== 0) sources.push({ source: 'default', written: compiled.defaultScopes, mask: compiled.defaultMask });
  for (const r of compiled.rules) {
    const match = matchOf(r, subject, groups);
    if (match) sources.push({ source: match, written: r.scopes, mask: r.mask });
  }
  let mask = 0;
  for (const s of sources) mask |= s.mask;
  const scopes = listOf(mask);
  const grants: Grant[] = [];
  for (const scope of scopes) {
    for (const s of sources) {
      if (!hasScope(s.mask, scope)) continue;
      const by = grantingScope(s.written, scope)!;
      grants.push(by === scope ? { scope, source: s.source } : { scope, source: s.source, impliedBy: by });
    }
  }
  return { scopes, grants: Object.freeze(grants) };
}
