/**
 * Every way the auth decision can refuse, as a closed union carrying what each failure knows
 * (the missing header's name, why an assertion failed, how long a lockout lasts). Its codes are
 * a closed subset of the reason table (src/protocol/reasons.ts), which holds their statuses,
 * close codes and sentences; the gateway's other refusals (Host, Origin, limits, the session)
 * are not part of this type.
 */
import type { AuthCode, ClosingCode } from '../protocol/reasons.js';

/** Reasons that carry no extra data. */
export type SimpleReason =
  | 'trusted_proxy_untrusted_source'
  | 'trusted_proxy_client_cert_missing'
  | 'trusted_proxy_user_missing'
  | 'trusted_proxy_user_ambiguous'
  | 'trusted_proxy_user_not_allowed'
  | 'trusted_proxy_groups_ambiguous'
  | 'trusted_proxy_assertion_missing'
  | 'trusted_proxy_assertion_ambiguous'
  | 'trusted_proxy_assertion_user_mismatch'
  | 'trusted_proxy_assertion_keys_unavailable'
  | 'token_missing'
  | 'token_mismatch'
  | 'password_missing'
  | 'password_mismatch';

/** Why a signed assertion was refused as invalid; logged, never sent to the client. */
export type AssertionInvalidWhy =
  | 'oversize'
  | 'malformed'
  | 'algorithm'
  | 'unknown_key'
  | 'signature'
  | 'issuer'
  | 'audience'
  | 'claims'
  | 'user_claim'
  | 'groups_claim'
  | 'unverified';

/** Which end of its time window a signed assertion fell outside of. */
export type AssertionTimeWhy = 'expired' | 'not_yet_valid' | 'issued_in_future';

export type AuthFailure =
  | { reason: SimpleReason }
  | { reason: 'trusted_proxy_missing_header'; header: string }
  | { reason: 'trusted_proxy_header_invalid_utf8'; header: string }
  | { reason: 'trusted_proxy_assertion_invalid'; why: AssertionInvalidWhy }
  | { reason: 'trusted_proxy_assertion_expired'; why: AssertionTimeWhy }
  /** `why`: OpenSSL's verification code (CERT_HAS_EXPIRED, UNABLE_TO_GET_ISSUER_CERT, ...), or CA_REMOVED; logged, never sent. */
  | { reason: 'trusted_proxy_client_cert_invalid'; why: string }
  /** `presented`: the certificate's names, for the log line only. */
  | { reason: 'trusted_proxy_client_cert_not_allowed'; presented: string }
  | { reason: 'rate_limited'; retryAfterMs: number };

/**
 * Any refusal that closes a WebSocket session or answers a request with its table row: the auth
 * decision's, or one of the gateway's own (Host, Origin, connection caps, the session's life).
 */
export type Refusal = AuthFailure | { reason: Exclude<ClosingCode, AuthCode> };

/** Compile-time check: the decision's codes are exactly the table's auth codes (a type error otherwise). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type AuthCodesMatchTable = Assert<Same<AuthFailure['reason'], AuthCode>>;
