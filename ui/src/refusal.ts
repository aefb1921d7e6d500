/**
 * Turns a refusal's wire code into what the page shows. The sentences come from the gateway's
 * own reason table (src/protocol/reasons.ts), the same one docs/troubleshooting.md is checked
 * against, so the page, the docs and the server never disagree.
 */
import { REASONS, docsAnchor, reasonFromWireCode, type ReasonCode } from '../../src/protocol/reasons.js';

/** Which credential, if any, the user can supply to get past this refusal. */
export type CredentialKind = 'token' | 'password' | undefined;

export interface Explanation {
  /** The code exactly as the gateway sent it. */
  wire: string;
  reason: ReasonCode | undefined;
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
  /** The user the proxy signed in, when the gateway said whose sign-in it refused. */
  claimedUser?: string;
  /** With claimedUser: what the person can do themselves (sign out, sign in again, or ask). */
  personHint?: string;
}

/**
 * What a refused person can do, by reason, when the gateway named their sign-in. Generic on
 * purpose: the page cannot know which proxy signs people in, or its sign-out address.
 */
export function personHint(reason: ReasonCode | undefined): string {
  if (reason === 'trusted_proxy_user_not_allowed') {
    return 'Signed in with the wrong account? Sign out at your sign-in page (your organisation\'s login, or the proxy\'s sign-out address), then open this page again and sign in with another one. If this is the right account, ask whoever runs this gateway to let it in; what they need is below.';
  }
  if (reason === 'trusted_proxy_assertion_expired') {
    return 'Your sign-in may be too old or too new for the gateway\'s clock: reload this page, or sign out and in again at your sign-in page. If that does not help, whoever runs this gateway needs what is below.';
  }
  return 'This is not about your account: the proxy and the gateway disagree about how sign-ins are passed on, so signing out will not help. Tell whoever runs this gateway; what they need is below.';
}

/** Where a generated token is kept (the gateway's state directory on its host). */
export const TOKEN_HOME =
  'A token the gateway generated is kept on the gateway\'s host in ~/.mayros/gateway.token (or $MAYROS_STATE_DIR/gateway.token) of the user that runs the gateway; as that user, "mayros gateway url" prints this page\'s link with it.';

/** Served next to the UI (built from docs/troubleshooting.md), relative to the page. */
export const TROUBLESHOOTING_PAGE = 'docs/troubleshooting.html';

const CREDENTIAL: Partial<Record<ReasonCode, CredentialKind>> = {
  token_missing: 'token',
  token_mismatch: 'token',
  password_missing: 'password',
  password_mismatch: 'password',
};

export function explain(wire: string, claimedUser?: string): Explanation {
  const reason = reasonFromWireCode(wire);
  const person = claimedUser ? { claimedUser, personHint: personHint(reason) } : {};
  if (!reason) {
    return {
      wire,
      reason: undefined,
      message: 'The gateway refused the connection with a code this page does not know.',
      fix: 'Look the code up in the gateway log and the troubleshooting guide; the gateway may be newer than this page.',
      docsHref: TROUBLESHOOTING_PAGE,
      credential: undefined,
      viaProxy: false,
      ...person,
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
    ...person,
  };
}

/** A single request the gateway refused (the session goes on), explained from the same table. */
export interface RequestRefusal {
  /** The reason code as the gateway sent it. */
  wire: string;
  reason: ReasonCode | undefined;
  /** The gateway's own sentence for this request, e.g. "security.audit needs operator.admin; you have operator.read". */
  detail: string;
  message: string;
  fix: string;
  docsHref: string;
}

/** Explains an error response that carries a reason (FORBIDDEN scope_missing, ...). */
export function explainRequest(error: { reason?: string; message: string }): RequestRefusal {
  const e = explain(error.reason ?? 'internal');
  return { wire: e.wire, reason: e.reason, detail: error.message, message: e.message, fix: e.fix, docsHref: e.docsHref };
}
