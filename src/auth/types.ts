import type { AuthFailure } from './reasons.js';
import type { AssertionOutcome } from './assertion/outcome.js';
import type { Identity } from '../protocol/identity.js';
import type { Via } from '../net/transport.js';

/**
 * Request headers, names lowercased. A repeated header must be an array of its values (as in Node's
 * `headersDistinct`), never one joined string; a header sent once may be a string or a one-value array.
 */
export type HeaderMap = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface Credentials {
  /** From `Authorization: Bearer ...` (HTTP). */
  bearer?: string;
  /** From the WebSocket connect frame. */
  token?: string;
  password?: string;
}

export interface AuthInput {
  /** How the request arrived: the Unix socket, or TCP (or TLS, with its client certificate) from a peer address. */
  via: Via;
  headers: HeaderMap;
  credentials?: Credentials;
  surface: 'http' | 'ws';
  /** When the client address is locked out by the failure limiter: how long is left (ms). */
  lockedForMs?: number;
  /**
   * The outcome of verifying the signed assertion, when the policy requires one. `authorizeAsync`
   * fills it; a caller of the sync `authorize` may pass one it already has. Absent = not verified.
   */
  assertion?: AssertionOutcome;
}

export type AuthResult = { ok: true; identity: Identity } | { ok: false; failure: AuthFailure };

/** One step of a decision, recorded only when a trace array is passed (for `mayros auth explain`). */
export interface TraceStep {
  step: string;
  ok: boolean;
  detail: string;
  /** The trustedProxies entry the peer matched (step "source"). */
  entry?: string;
  /** The header the step read (steps "required-header" and "identity"). */
  header?: string;
  /** The identity read (steps "identity" and "allowlist"). */
  user?: string;
}
