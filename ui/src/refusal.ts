/**
 * Turns a refusal's wire code into what the page shows. The sentences come from the gateway's
 * own reason table (src/auth/reasons.ts), the same one docs/troubleshooting.md is checked
 * against, so the page, the docs and the server never disagree.
 */
import { REASONS, docsAnchor, reasonFromWireCode, type Reason } from '../../src/auth/reasons.js';

/** Which credential, if any, the user can supply to get past this refusal. */
export type CredentialKind = 'token' | 'password' | undefined;

export interface Explanation {
  /** The code exactly as the gateway sent it. */
  wire: string;
  reason: Reason | undefined;
  message: string;
  fix: string;
  /** Link to the troubleshooting entry served by the gateway itself. */
  docsHref: string;
  /** The credential field to offer; never one for trusted-proxy refusals. */
  credential: CredentialKind;
  /** True for every trusted_proxy_* code: the proxy is the only login, so no token field. */
  viaProxy: boolean;
  /** For the token codes: where the gateway keeps a generated token, and how to get the link again. */
  tokenHome?: string;
}

/** Where a generated token is kept (the gateway's state directory on its host). */
export const TOKEN_HOME =
  'A token the gateway generated is kept on the gateway\'s host in ~/.mayros/gateway.token (or $MAYROS_STATE_DIR/gateway.token) of the user that runs the gateway; as that user, "mayros gateway url" prints this page\'s link with it.';

/** Served next to the UI (built from docs/troubleshooting.md), relative to the page. */
export const TROUBLESHOOTING_PAGE = 'docs/troubleshooting.html';

const CREDENTIAL: Partial<Record<Reason, CredentialKind>> = {
  token_missing: 'token',
  token_mismatch: 'token',
  password_missing: 'password',
  password_mismatch: 'password',
};

export function explain(wire: string): Explanation {
  const reason = reasonFromWireCode(wire);
  if (!reason) {
    return {
      wire,
      reason: undefined,
      message: 'The gateway refused the connection with a code this page does not know.',
      fix: 'Look the code up in the gateway log and the troubleshooting guide; the gateway may be newer than this page.',
      docsHref: TROUBLESHOOTING_PAGE,
      credential: undefined,
      viaProxy: false,
    };
  }
  const info = REASONS[reason];
  return {
    wire,
    reason,
    message: info.message,
    fix: info.fix,
    docsHref: `${TROUBLESHOOTING_PAGE}#${docsAnchor(reason)}`,
    credential: CREDENTIAL[reason],
    viaProxy: reason.startsWith('trusted_proxy_'),
    ...(CREDENTIAL[reason] === 'token' && { tokenHome: TOKEN_HOME }),
  };
}
