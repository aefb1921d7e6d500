/**
 * Who a session or request is: what `hello-ok`, `whoami` and presence entries carry.
 */

/** The auth modes (gateway.auth.mode). */
export const AUTH_MODES = ['none', 'token', 'password', 'trusted-proxy'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export interface Identity {
  /** The user a trusted proxy named; null in the other modes (one shared credential). */
  user: string | null;
  method: AuthMode;
  /** The user's groups (trusted-proxy mode with a groups source); empty otherwise. */
  groups: readonly string[];
}
