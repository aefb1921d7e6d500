/**
 * The auth decision: a pure function of plain data. HTTP and WebSocket adapters extract an
 * AuthInput and render the AuthResult; nothing here touches a socket, a clock or a log.
 */
import type { AuthPolicy } from './policy.js';
import type { AuthInput, AuthResult, TraceStep } from './types.js';
import { authorizeTrustedProxy } from './trusted-proxy.js';
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
  return { ok: true, identity: { user: null, method: kind } };
}

export function authorize(input: AuthInput, policy: AuthPolicy, trace?: TraceStep[]): AuthResult {
  const c = input.credentials;
  switch (policy.mode) {
    case 'trusted-proxy':
      return authorizeTrustedProxy(input.peer, input.headers, policy, trace);
    case 'token':
      return authorizeSecret('token', c?.token ?? c?.bearer, policy.token, input, trace);
    case 'password':
      return authorizeSecret('password', c?.password ?? c?.bearer, policy.password, input, trace);
    case 'none':
      trace?.push({ step: 'mode', ok: true, detail: 'mode "none" admits every request' });
      return { ok: true, identity: { user: null, method: 'none' } };
  }
}

/** Failures that count toward the per-client lockout (a wrong guess, not a missing credential). */
export function countsAsFailedAttempt(result: AuthResult): boolean {
  return !result.ok && (result.failure.reason === 'token_mismatch' || result.failure.reason === 'password_mismatch');
}
