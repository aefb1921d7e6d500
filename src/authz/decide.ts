/**
 * The scope decision: a pure function of the admitted identity's name and verified groups, and the
 * compiled config. It takes nothing else, so nothing a client sends (frame fields, other headers,
 * the scopes a client claims for itself) can add a scope.
 */
import type { CompiledAuthorization } from './compile.js';
import { listOf, type ScopeList } from '../protocol/scopes.js';

/**
 * The part of an admitted identity that scopes depend on: the name the auth decision accepted
 * (null in the secret modes and "none") and the groups it verified (from a signed assertion's
 * claim or the groups header), both in NFC as src/auth/ produces them. An `Identity` fits.
 */
export interface ScopeSubject {
  readonly user: string | null;
  readonly groups: readonly string[];
}

/**
 * The scopes of an admitted identity: the union of the defaults and every rule naming the user or
 * one of its groups, expanded (admin implies write implies read) and sorted. The list returned is
 * frozen and shared (one per distinct set): compare it, never change it. Costs one map lookup per
 * group, plus one for the user; it does not allocate.
 */
export function scopesFor(subject: ScopeSubject, compiled: CompiledAuthorization): ScopeList {
  let mask = compiled.defaultMask;
  if (subject.user !== null) mask |= compiled.users.get(subject.user) ?? 0;
  const groups = subject.groups;
  if (compiled.groups.size !== 0) for (let i = 0; i < groups.length; i++) mask |= compiled.groups.get(groups[i]!) ?? 0;
  return listOf(mask);
}
