/**
 * Every way the gateway can refuse a request or a WebSocket session, as a closed union,
 * and the one table that maps each to its wire code, HTTP status, WebSocket close code
 * and the sentence shown to a person. `docs/troubleshooting.md` has one entry per code;
 * a test keeps the two in step.
 */

/** Reasons that carry no extra data. */
export type SimpleReason =
  | 'trusted_proxy_untrusted_source'
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
  | 'password_mismatch'
  | 'origin_not_allowed'
  | 'host_not_allowed'
  | 'connect_required'
  | 'protocol_unsupported'
  | 'handshake_timeout'
  | 'session_expired'
  | 'frame_too_large'
  | 'frame_rate_exceeded'
  | 'slow_consumer'
  | 'too_many_connections'
  | 'too_many_unauthenticated'
  | 'too_many_connections_per_address'
  | 'too_many_unauthenticated_per_address';

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
  | { reason: 'rate_limited'; retryAfterMs: number };

export type Reason = AuthFailure['reason'];

export type ErrorType = 'unauthorized' | 'forbidden' | 'rate_limited' | 'bad_request' | 'unavailable';

export interface ReasonInfo {
  /** HTTP status for a refused HTTP request. */
  status: number;
  /** The `error.type` of the HTTP error body. */
  type: ErrorType;
  /** WebSocket close code. */
  closeCode: number;
  /** What happened, for a person. */
  message: string;
  /** What to change, for a person. */
  fix: string;
}

/** WebSocket close code for policy violations (RFC 6455). */
export const WS_POLICY_VIOLATION = 1008;

/** WebSocket close code for a message larger than the gateway accepts (RFC 6455). */
export const WS_MESSAGE_TOO_BIG = 1009;

/**
 * WebSocket close code "Try Again Later" (IANA registry): the server cannot decide right now,
 * or is at a connection cap.
 */
export const WS_TRY_AGAIN_LATER = 1013;

/**
 * Application close code (4000-4999 range) for an expired proxy session: the client should
 * reconnect through the proxy at once, so the proxy's current login decides again.
 */
export const WS_SESSION_EXPIRED = 4001;

/**
 * The table. `trusted_proxy_missing_header` is one row; its wire code carries the header name
 * (`trusted_proxy_missing_header_x-forwarded-proto`).
 */
export const REASONS: Readonly<Record<Reason, ReasonInfo>> = Object.freeze({
  trusted_proxy_untrusted_source: {
    status: 401,
    type: 'unauthorized',
    closeCode: WS_POLICY_VIOLATION,
    message: 'The request did not come from an address listed in gateway.trustedProxies.',
    fix: 'Reach the gateway through your identity-aware proxy, or add the proxy\'s own address (as the gateway sees it) to gateway.trustedProxies.',
  },
  trusted_proxy_missing_header: {
    status: 401,
    type: 'unauthorized',
    closeCode: WS_POLICY_VIOLATION,
    message: 'A header listed in gateway.auth.trustedProxy.requiredHeaders was missing or blank.',
    fix: 'Make the proxy set that header on every request (including WebSocket upgrades), or remove it from requiredHeaders.',
  },
  trusted_proxy_user_missing: {
    status: 401,
    type: 'unauthorized',
    closeCode: WS_POLICY_VIOLATION,
    message: 'The identity header named by gateway.auth.trustedProxy.userHeader was missing or blank.',
    fix: 'Check that the proxy authenticated the request and copies the user into exactly that header (hyphens, not underscores).',
  },
  trusted_proxy_user_ambiguous: {
    status: 401,
    type: 'unauthorized',
    closeCode: WS_POLICY_VIOLATION,
    message: 'The identity header arrived more than once, or held a comma-separated list, so the gateway refused to pick one.',
    fix: 'Make the proxy overwrite the identity header (nginx proxy_set_header, Caddy header_up) instead of appending to what the client sent.',
  },
  trusted_proxy_header_invalid_utf8: {
    status: 401,
    type: 'unauthorized',
    closeCode: WS_POLICY_VIOLATION,
    message: 'The identity or groups header was not valid UTF-8, so the gateway could not read the name in it.',
    fix: 'Make the proxy pass user and group names as UTF-8, as it received them from the identity provider (no conversion to Latin-1 or another charset); the gateway log line names the header.',
  },
  trusted_proxy_user_not_allowed: {
    status: 403,
    type: 'forbidden',
    closeCode: WS_POLICY_VIOLATION,
    message: 'The proxy authenticated this user, but the user is neither in gateway.auth.trustedProxy.allowUsers nor in a group listed in allowGroups.',
    fix: 'Add the user, exactly as the proxy sends it, to allowUsers, or one of the user\'s groups to allowGroups; empty both lists to admit every user the proxy authenticates.',
  },
  trusted_proxy_groups_ambiguous: {
    status: 401,
    type: 'unauthorized',
    closeCode: WS_POLICY_VIOLATION,
    message: 'The groups header named by gateway.auth.trustedProxy.groupsHeader arrived more than once, so the gateway refused to merge them.',
    fix: 'Make the proxy overwrite the groups header instead of appending to what the client sent.',
  },
  trusted_proxy_assertion_missing: {
    status: 401,
    type: 'unauthorized',
    closeCode: WS_POLICY_VIOLATION,
    message: 'The signed identity assertion header (gateway.auth.trustedProxy.assertion.header) was missing or blank.',
    fix: 'Make the proxy send its signed JWT on every request and WebSocket upgrade (Pomerium: pass identity headers; Cloudflare Access and Google IAP always send it), and check the header name.',
  },
  trusted_proxy_assertion_ambiguous: {
    status: 401,
    type: 'unauthorized',
    closeCode: WS_POLICY_VIOLATION,
    message: 'The signed identity assertion header arrived more than once, so the gateway refused to pick one.',
    fix: 'Make every proxy in the chain overwrite the assertion header instead of appending a second one.',
  },
  trusted_proxy_assertion_invalid: {
    status: 401,
    type: 'unauthorized',
    closeCode: WS_POLICY_VIOLATION,
    message: 'The signed identity assertion failed verification: bad signature, unknown key, algorithm not allowed, wrong issuer or audience, malformed or too large.',
    fix: 'Check assertion.issuer, audience and algorithms against a real token from the proxy, and that the key URL or file is the proxy\'s own; the gateway log line says which check failed.',
  },
  trusted_proxy_assertion_expired: {
    status: 401,
    type: 'unauthorized',
    closeCode: WS_POLICY_VIOLATION,
    message: 'The signed identity assertion is outside its validity window: it has expired, is not valid yet, or claims to be issued in the future.',
    fix: 'Sync the clocks of the proxy and the gateway (NTP); if they drift a little, raise assertion.clockToleranceSec.',
  },
  trusted_proxy_assertion_user_mismatch: {
    status: 401,
    type: 'unauthorized',
    closeCode: WS_POLICY_VIOLATION,
    message: 'The identity header names a different user than the signed assertion does.',
    fix: 'Make the proxy fill userHeader from the same value as the assertion\'s claim (assertion.userClaim), or change userClaim to match what the header carries.',
  },
  trusted_proxy_assertion_keys_unavailable: {
    status: 503,
    type: 'unavailable',
    closeCode: WS_TRY_AGAIN_LATER,
    message: 'The gateway could not obtain the proxy\'s signing keys, so it cannot verify identities and refuses everyone.',
    fix: 'Check that the gateway can reach assertion.jwksUrl over https (DNS, firewall, egress proxy) and that it serves a JSON Web Key Set; GET /readyz reports when keys are back.',
  },
  token_missing: {
    status: 401,
    type: 'unauthorized',
    closeCode: WS_POLICY_VIOLATION,
    message: 'The gateway is in token mode and the request carried no token.',
    fix: 'Send "Authorization: Bearer <token>" over HTTP, or auth.token in the WebSocket connect frame; the Control UI takes it from #token=... in its URL.',
  },
  token_mismatch: {
    status: 401,
    type: 'unauthorized',
    closeCode: WS_POLICY_VIOLATION,
    message: 'The token sent does not match the gateway token.',
    fix: 'Use the current token: gateway.auth.token, MAYROS_GATEWAY_TOKEN, or the generated token file in the state directory.',
  },
  password_missing: {
    status: 401,
    type: 'unauthorized',
    closeCode: WS_POLICY_VIOLATION,
    message: 'The gateway is in password mode and the request carried no password.',
    fix: 'Send "Authorization: Bearer <password>" over HTTP, or auth.password in the WebSocket connect frame.',
  },
  password_mismatch: {
    status: 401,
    type: 'unauthorized',
    closeCode: WS_POLICY_VIOLATION,
    message: 'The password sent does not match the gateway password.',
    fix: 'Use the password from gateway.auth.password or MAYROS_GATEWAY_PASSWORD.',
  },
  rate_limited: {
    status: 429,
    type: 'rate_limited',
    closeCode: WS_POLICY_VIOLATION,
    message: 'Too many failed attempts from this client address; it is locked out for a while.',
    fix: 'Wait for the Retry-After delay, then retry with the right credential; see gateway.auth.rateLimit.',
  },
  origin_not_allowed: {
    status: 403,
    type: 'forbidden',
    closeCode: WS_POLICY_VIOLATION,
    message: 'A browser WebSocket came from a page on another origin than the gateway\'s own.',
    fix: 'Open the Control UI from the gateway\'s own URL, or add the page\'s origin (scheme://host:port) to gateway.controlUi.allowedOrigins.',
  },
  host_not_allowed: {
    status: 421,
    type: 'forbidden',
    closeCode: WS_POLICY_VIOLATION,
    message: 'The request named a host (the Host header) this gateway does not serve; this is how the gateway stops DNS-rebinding pages.',
    fix: 'Open the gateway by a name it serves: on a loopback bind, localhost or 127.0.0.1; behind a proxy that passes the public host name on, add that name to gateway.allowedHosts.',
  },
  connect_required: {
    status: 400,
    type: 'bad_request',
    closeCode: WS_POLICY_VIOLATION,
    message: 'The first WebSocket request was not "connect".',
    fix: 'Send {"type":"req","method":"connect",...} as the first frame after the upgrade.',
  },
  protocol_unsupported: {
    status: 400,
    type: 'bad_request',
    closeCode: 1002,
    message: 'The client asked for a protocol version this gateway does not speak.',
    fix: 'Upgrade the client or the gateway so both speak protocol version 1.',
  },
  handshake_timeout: {
    status: 408,
    type: 'bad_request',
    closeCode: WS_POLICY_VIOLATION,
    message: 'The client did not send "connect" in time after the WebSocket upgrade.',
    fix: 'Send the connect frame right after the upgrade; check for a proxy buffering WebSocket frames.',
  },
  session_expired: {
    status: 401,
    type: 'unauthorized',
    closeCode: WS_SESSION_EXPIRED,
    message: 'The WebSocket session reached gateway.auth.sessionMaxAgeSec and was closed so the proxy can authenticate it again.',
    fix: 'Reconnect through the proxy (the Control UI does this by itself); raise gateway.auth.sessionMaxAgeSec, or set it to 0, to keep sessions longer.',
  },
  frame_too_large: {
    status: 413,
    type: 'bad_request',
    closeCode: WS_MESSAGE_TOO_BIG,
    message: 'The client sent a WebSocket message larger than gateway.limits.maxFrameBytes.',
    fix: 'Send smaller messages, or raise gateway.limits.maxFrameBytes.',
  },
  frame_rate_exceeded: {
    status: 429,
    type: 'rate_limited',
    closeCode: WS_POLICY_VIOLATION,
    message: 'The client sent WebSocket messages faster than gateway.limits.maxFramesPerSecond allows (beyond frameBurst).',
    fix: 'Pace the client, or raise gateway.limits.maxFramesPerSecond / gateway.limits.frameBurst.',
  },
  slow_consumer: {
    status: 400,
    type: 'bad_request',
    closeCode: WS_POLICY_VIOLATION,
    message: 'The client stopped reading: more than gateway.limits.maxBufferedBytes of replies and events waited to be sent to it.',
    fix: 'Make the client read its socket continuously (check for a stalled tab or a blocked proxy), or raise gateway.limits.maxBufferedBytes.',
  },
  too_many_connections: {
    status: 503,
    type: 'unavailable',
    closeCode: WS_TRY_AGAIN_LATER,
    message: 'The gateway already holds gateway.limits.maxConnections WebSocket sessions.',
    fix: 'Retry later; close idle clients, or raise gateway.limits.maxConnections.',
  },
  too_many_unauthenticated: {
    status: 503,
    type: 'unavailable',
    closeCode: WS_TRY_AGAIN_LATER,
    message: 'Too many WebSockets are open that have not finished "connect" (gateway.limits.maxUnauthenticated).',
    fix: 'Retry later; find the client that opens sockets without connecting, or raise gateway.limits.maxUnauthenticated.',
  },
  too_many_connections_per_address: {
    status: 429,
    type: 'rate_limited',
    closeCode: WS_TRY_AGAIN_LATER,
    message: 'This client address already holds gateway.limits.maxConnectionsPerAddress WebSocket sessions.',
    fix: 'Close idle tabs or clients on that address and retry; behind a proxy, list it in gateway.trustedProxies and have it send X-Forwarded-For so each client counts on its own; or raise gateway.limits.maxConnectionsPerAddress.',
  },
  too_many_unauthenticated_per_address: {
    status: 429,
    type: 'rate_limited',
    closeCode: WS_TRY_AGAIN_LATER,
    message: 'This client address already has gateway.limits.maxUnauthenticatedPerAddress WebSockets open that have not finished "connect".',
    fix: 'Retry once they connect or time out; find the client on that address that opens sockets without connecting; behind a proxy, list it in gateway.trustedProxies and have it send X-Forwarded-For; or raise gateway.limits.maxUnauthenticatedPerAddress.',
  },
});

/** All reasons in the table, in a stable order. */
export const ALL_REASONS = Object.keys(REASONS) as Reason[];

/** The stable code sent on the wire and written in logs. */
export function wireCode(failure: AuthFailure): string {
  if (failure.reason === 'trusted_proxy_missing_header') {
    return `trusted_proxy_missing_header_${failure.header.toLowerCase()}`;
  }
  return failure.reason;
}

/** The troubleshooting-docs anchor for a failure (the header variant shares one entry). */
export function docsAnchor(reason: Reason): string {
  return reason === 'trusted_proxy_missing_header' ? 'trusted_proxy_missing_header_name' : reason;
}

/** Looks up a wire code (as seen in a close frame or error body) back to its row. */
export function reasonFromWireCode(code: string): Reason | undefined {
  if (code.startsWith('trusted_proxy_missing_header_')) return 'trusted_proxy_missing_header';
  return (REASONS as Record<string, ReasonInfo>)[code] ? (code as Reason) : undefined;
}

export function infoFor(failure: AuthFailure): ReasonInfo {
  return REASONS[failure.reason];
}
