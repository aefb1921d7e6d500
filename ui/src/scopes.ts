/**
 * What the signed-in person may do, in words, and which parts of the console that allows. The
 * scopes come from `hello-ok` and `session.updated` (the gateway's rules, never the page's).
 */
import { allows, isScope, expandScopes, type Scope, type ScopeList } from '../../src/protocol/scopes.js';

export { allows };

/** "read, write" for read + write, "admin" for an admin (admin implies the rest), "nothing yet" for none. */
export function scopeLabel(scopes: ScopeList): string {
  if (scopes.includes('operator.admin')) return 'admin';
  const words = scopes.map((s) => s.replace(/^operator\./, ''));
  return words.length ? words.join(', ') : 'nothing yet';
}

/** A scope list as the gateway sends it, checked: unknown names are dropped, the rest expanded. */
export function scopesFrom(value: unknown): ScopeList {
  return expandScopes(Array.isArray(value) ? value.filter((s): s is Scope => isScope(s)) : []);
}

/** What each part of the console needs (the method it calls). */
export const NEEDS = Object.freeze({
  status: 'operator.read',
  presence: 'operator.read',
  audit: 'operator.admin',
} as const satisfies Record<string, Scope>);
