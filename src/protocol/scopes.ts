/**
 * Operator scopes: the names, what each implies, and the shared lists a decision returns.
 *
 * `operator.admin` implies `operator.write`, which implies `operator.read`. A set of scopes is held
 * as a bit mask, always closed under implication; every distinct closed set has one frozen, sorted
 * list, built once here, so a decision never allocates one. This module imports nothing: the
 * config schema, the decision layer (src/authz/) and the Control UI all read their vocabulary from it.
 */

/** Every scope, in the order lists are sorted (alphabetical, which is also weakest first). */
export const SCOPES = Object.freeze(['operator.admin', 'operator.read', 'operator.write'] as const);

export type Scope = (typeof SCOPES)[number];

/** A sorted, expanded, frozen list of scopes (an admin's holds all three). */
export type ScopeList = readonly Scope[];

/** A set of scopes as bits: bit i is SCOPES[i]. Always closed under implication when it comes from here. */
export type ScopeMask = number;

const BIT: Readonly<Record<Scope, ScopeMask>> = Object.freeze({ 'operator.admin': 1, 'operator.read': 2, 'operator.write': 4 });

/** What each scope grants, itself included. */
const IMPLIES: Readonly<Record<Scope, ScopeMask>> = Object.freeze({
  'operator.read': BIT['operator.read'],
  'operator.write': BIT['operator.write'] | BIT['operator.read'],
  'operator.admin': BIT['operator.admin'] | BIT['operator.write'] | BIT['operator.read'],
});

const SCOPE_SET: ReadonlySet<string> = new Set(SCOPES);

/** True when `name` is a scope, spelled exactly. */
export function isScope(name: unknown): name is Scope {
  return typeof name === 'string' && SCOPE_SET.has(name);
}

/** The mask of one scope and everything it implies. */
export function impliedMask(scope: Scope): ScopeMask {
  return IMPLIES[scope];
}

/** The mask of several scopes and everything they imply. */
export function maskOf(scopes: Iterable<Scope>): ScopeMask {
  let m = 0;
  for (const s of scopes) m |= IMPLIES[s];
  return m;
}

/** True when `mask` holds `scope`. */
export function hasScope(mask: ScopeMask, scope: Scope): boolean {
  return (mask & BIT[scope]) !== 0;
}

/** One frozen sorted list per mask (8 of them: 3 scopes), shared by every caller. */
const LISTS: readonly ScopeList[] = Object.freeze(
  Array.from({ length: 1 << SCOPES.length }, (_, m) => Object.freeze(SCOPES.filter((s) => (m & BIT[s]) !== 0))),
);

/** The shared list for a mask. Masks from maskOf/impliedMask are always closed under implication. */
export function listOf(mask: ScopeMask): ScopeList {
  return LISTS[mask & (LISTS.length - 1)]!;
}

/** The expanded, sorted, frozen (shared) list of some scopes. */
export function expandScopes(scopes: Iterable<Scope>): ScopeList {
  return listOf(maskOf(scopes));
}

/** The empty list: admitted, may do nothing. */
export const NO_SCOPES: ScopeList = listOf(0);

/**
 * True when `scopes` (an expanded list, as a decision returns it) allows what needs `needed`;
 * `null` means the thing needs no scope (`health`, `whoami`).
 */
export function allows(scopes: ScopeList, needed: Scope | null): boolean {
  if (needed === null) return true;
  // Lists are expanded, so a plain membership test is exact; at most 3 entries.
  for (let i = 0; i < scopes.length; i++) if (scopes[i] === needed) return true;
  return false;
}

/**
 * The sentence for a `scope_missing` refusal, e.g. "chat.send needs operator.write; you have
 * operator.read". `what` is the method or route refused.
 */
export function scopeMissingMessage(what: string, needed: Scope, scopes: ScopeList): string {
  return `${what} needs ${needed}; you have ${scopes.length ? scopes.join(', ') : 'no scopes'}`;
}
