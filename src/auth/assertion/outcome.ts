/**
 * The result of verifying a signed assertion, as plain data. Types only (no jose, no Node), so the
 * Control UI can share them with the decision.
 */
import type { AssertionInvalidWhy, AssertionTimeWhy } from '../reasons.js';

/** The failures verification can end in (a subset of AuthFailure). */
export type AssertionFailure =
  | { reason: 'trusted_proxy_assertion_invalid'; why: AssertionInvalidWhy }
  | { reason: 'trusted_proxy_assertion_expired'; why: AssertionTimeWhy }
  | { reason: 'trusted_proxy_assertion_user_mismatch' }
  | { reason: 'trusted_proxy_assertion_keys_unavailable' };

export type AssertionOutcome =
  | { ok: true; user: string; groups: readonly string[]; detail: string }
  | { ok: false; failure: AssertionFailure; detail: string };
