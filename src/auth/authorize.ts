/**
 * The auth decision: a pure function of plain data. HTTP and WebSocket adapters extract an
 * AuthInput and render the AuthResult; nothing here touches a socket, a clock or a log.
 * `authorizeAsync` adds the one async step (verifying a signed assertion) and stays sync when
 * no assertion is configured.
 */
import type { AuthPolicy } from './policy.js';
import type { AuthInput, AuthResult, TraceStep } from './types.js';
import { authorizeTrustedProxy, beginTrustedProxy, finishTrustedProxy } from './trusted-proxy.js';
import { verifyAssertion } from './assertion/verify.js';
import type { KeySource } from './assertion/key-source.js';
import { secretsEqual } from './secret.js';

function authorizeSecret(kind: 'token' | 'password', presented: string | undefined, expected: string | undefined, input: AuthInput, trace?: TraceStep[]): AuthResult {
  if (input.lockedForMs !== undefined && input.lockedForMs > 0) {
    // Checked before the secret: a locked-out client is refused even with the right one.
    trace?.push({ step: 'rate-limit', ok: false, detail: `client is locked out for ${Math.ceil(input.lockedForMs / 1000)} s` });
    return { ok: false, failure: { reason: 'rate_limited', retryAfterMs: input.lockedForMs } };
  }
  if (presented === undefined || presented === '') {
    trace?.push({ step: kind, ok: false, detail: `no ${kind} presented` });
    return { ok: false, failure: { reason: kind === 'token' ? 'token_missing' : 'password_missing' } };
  }
  // An unset expected secret never matches (fail closed); startup validation prevents it.
  if (expected === undefined || !secretsEqual(presented, expected)) {
    trace?.push({ step: kind, ok: false, detail: `${kind} does not match` });
    return { ok: false, failure: { reason: kind === 'token' ? 'token_mismatch' : 'password_mismatch' } };
  }
  trace?.push({ step: kind, ok: true, detail: `${kind} matches` });
  return { ok: true, identity: { user: null, method: kind, groups: [] } };
}

/**
 * The decision, sync. With an assertion policy it needs `input.assertion` (the verification
 * outcome) and fails closed without one; adapters call authorizeAsync instead.
 */
export function authorize(input: AuthInput, policy: AuthPolicy, trace?: TraceStep[]): AuthResult {
  const c = input.credentials;
  switch (policy.mode) {
    case 'trusted-proxy':
      return authorizeTrustedProxy(input.via, input.headers, policy, trace, input.assertion);
    case 'token':
      return authorizeSecret('token', c?.token ?? c?.bearer, policy.token, input, trace);
    case 'password':
      return authorizeSecret('password', c?.password ?? c?.bearer, policy.password, input, trace);
    case 'none':
      trace?.push({ step: 'mode', ok: true, detail: 'mode "none" admits every request' });
      return { ok: true, identity: { user: null, method: 'none', groups: [] } };
  }
}

/**
 * The entry point for adapters: the whole decision, verifying the signed assertion when the
 * policy requires one. Returns a plain AuthResult (no Promise) unless a signature must be checked,
 * so the common path stays synchronous. The Promise never rejects. `now` is in ms.
 */
export function authorizeAsync(input: AuthInput, policy: AuthPolicy, keys: KeySource | undefined, now: number, trace?: TraceStep[]): AuthResult | Promise<AuthResult> {
  if (policy.mode !== 'trusted-proxy' || !policy.assertion) return authorize(input, policy, trace);
  const begun = beginTrustedProxy(input.via, input.headers, policy, trace);
  if (!begun.ok) return begun;
  // beginTrustedProxy returns a token whenever the policy requires an assertion; without one, refuse.
  if (begun.token === undefined) return finishTrustedProxy(begun.user, input.headers, policy, undefined, trace);
  if (!keys) {
    trace?.push({ step: 'assertion', ok: false, detail: 'no key source is configured' });
    return { ok: false, failure: { reason: 'trusted_proxy_assertion_keys_unavailable' } };
  }
  const assertion = policy.assertion;
  return verifyAssertion(begun.token, begun.user, keys, assertion, now).then(
    (outcome) => finishTrustedProxy(begun.user, input.headers, policy, outcome, trace),
    // verifyAssertion does not throw; should it ever, refuse.
    () => finishTrustedProxy(begun.user, input.headers, policy, { ok: false, failure: { reason: 'trusted_proxy_assertion_invalid', why: 'unverified' }, detail: 'verification failed unexpectedly' }, trace),
  );
}

/** Failures that count toward the per-client lockout (a wrong guess, not a missing credential). */
export function countsAsFailedAttempt(result: AuthResult): boolean {
  return !result.ok && (result.failure.reason === 'token_mismatch' || result.failure.reason === 'password_mismatch');
}
