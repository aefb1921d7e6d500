/**
 * Would a new config refuse the admin who is changing it? A pure function over the caller's
 * identity (the name and groups the auth decision verified for their session) and the config in
 * force and the one proposed: `config.patch` refuses such a change with `config_locks_you_out`
 * unless it is sent with `confirm`.
 *
 * It asks what a reload's re-check asks of the caller's session, from the identity alone: the
 * auth mode, the allowlist, the identity header, the shared secret, and the admin scope. What the
 * identity does not carry (the address of the proxy the session came through) is not looked at:
 * a change of `gateway.trustedProxies` is re-checked on the session itself when it is applied.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ResolvedConfig } from '../config/load.js';
import { compileAuthPolicy } from '../auth/policy.js';
import type { Identity } from '../protocol/identity.js';
import { compileAuthorization } from './compile.js';
import { scopesFor } from './decide.js';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Constant time: the values are secrets, even though both come from the config. */
function sameSecret(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * Why `next` would refuse `caller` (a sentence naming the key), or undefined when the caller
 * would still be admitted and still be an admin. `current` is the config in force.
 */
export function lockoutOf(caller: Identity, current: ResolvedConfig, next: ResolvedConfig): string | undefined {
  const was = current.config.gateway.auth;
  const now = next.config.gateway.auth;
  if (now.mode !== caller.method) {
    return `gateway.auth.mode would change to "${now.mode}", and you signed in with "${caller.method}": your session would be closed`;
  }
  let groups = caller.groups;
  if (now.mode === 'trusted-proxy') {
    const policy = compileAuthPolicy(next);
    if (policy.mode !== 'trusted-proxy') return undefined;
    if (was.trustedProxy.userHeader !== now.trustedProxy.userHeader) {
      return `gateway.auth.trustedProxy.userHeader would change from "${was.trustedProxy.userHeader ?? ''}" to "${now.trustedProxy.userHeader ?? ''}": your proxy names you in the old header, so your session would be refused`;
    }
    // Groups come from the groups header or a signed assertion; with neither, the caller has none.
    if (!policy.groupsHeader && !policy.assertion) groups = [];
    const user = caller.user ?? '';
    const open = policy.allowUsers.size === 0 && policy.allowGroups.size === 0;
    if (!open && !policy.allowUsers.has(user) && !groups.some((g) => policy.allowGroups.has(g))) {
      return `"${user}" would no longer be allowed in: not in gateway.auth.trustedProxy.allowUsers, nor in a group listed in allowGroups`;
    }
  } else if (now.mode === 'token') {
    // A token left out of the file keeps the one generated in the state directory.
    if (now.token !== undefined && !sameSecret(was.token, now.token)) return 'gateway.auth.token would change: your session signed in with the old token and would be closed';
  } else if (now.mode === 'password') {
    if (!sameSecret(was.password, now.password)) return 'gateway.auth.password would change: your session signed in with the old password and would be closed';
  }
  const scopes = scopesFor({ user: caller.user, groups }, compileAuthorization(next.config));
  if (!scopes.includes('operator.admin')) {
    const left = scopes.length ? scopes.join(', ') : 'no scopes';
    return `you would no longer be an admin (gateway.authorization would give you ${left}): you could not change the config again from the console`;
  }
  return undefined;
}
