/**
 * The reason table: every code the gateway can refuse, close or fail with, in one place. Each row
 * holds the HTTP status and extra response headers, the WebSocket close code and error-frame code,
 * and the sentences shown to a person (message, fix). The HTTP and WebSocket adapters, `auth
 * explain` and the Control UI read their answers from here; `docs/troubleshooting.md` has one
 * entry per code, and a test keeps the two in step.
 *
 * Node-free and dependency-free: the Control UI bundles it.
 */
import type { ErrorCode, ResponseError } from './frames.js';
import { scopeMissingMessage, type Scope, type ScopeList } from './scopes.js';

/** WebSocket close code: the server is going away (RFC 6455). */
export const WS_GOING_AWAY = 1001;
/** WebSocket close code: the peer broke the protocol (RFC 6455). */
export const WS_PROTOCOL_ERROR = 1002;
/** WebSocket close code: a text message that is not UTF-8 (RFC 6455). */
export const WS_INVALID_PAYLOAD = 1007;
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
 * Whether a close means "refused": do not reconnect until something changes. Policy and protocol
 * closes and the application range, with a reason code; everything else (going away, try again
 * later, too big) is worth a reconnect with backoff.
 */
export function isRefusalClose(code: number, reason: string): boolean {
  return reason !== '' && (code === WS_POLICY_VIOLATION || code === WS_PROTOCOL_ERROR || (code >= 4000 && code <= 4999));
}

/** What the auth decision (src/auth/) refuses with; AuthFailure in src/auth/reasons.ts carries the details. */
export type AuthCode =
  | 'trusted_proxy_untrusted_source'
  | 'trusted_proxy_client_cert_missing'
  | 'trusted_proxy_client_cert_invalid'
  | 'trusted_proxy_client_cert_not_allowed'
  | 'trusted_proxy_missing_header'
  | 'trusted_proxy_user_missing'
  | 'trusted_proxy_user_ambiguous'
  | 'trusted_proxy_header_invalid_utf8'
  | 'trusted_proxy_user_not_allowed'
  | 'trusted_proxy_groups_ambiguous'
  | 'trusted_proxy_assertion_missing'
  | 'trusted_proxy_assertion_ambiguous'
  | 'trusted_proxy_assertion_invalid'
  | 'trusted_proxy_assertion_expired'
  | 'trusted_proxy_assertion_user_mismatch'
  | 'trusted_proxy_assertion_keys_unavailable'
  | 'token_missing'
  | 'token_mismatch'
  | 'password_missing'
  | 'password_mismatch'
  | 'rate_limited';

/** Checks that admit a request or an upgrade beside the auth decision: Host, Origin, connection caps. */
export type AdmissionCode =
  | 'host_not_allowed'
  | 'origin_not_allowed'
  | 'too_many_connections'
  | 'too_many_unauthenticated'
  | 'too_many_connections_per_address'
  | 'too_many_unauthenticated_per_address';

/** Why an upgraded WebSocket session is closed, other than by the auth decision. */
export type SessionCode =
  | 'connect_required'
  | 'protocol_unsupported'
  | 'handshake_timeout'
  | 'session_expired'
  | 'frame_too_large'
  | 'frame_malformed'
  | 'frame_invalid_utf8'
  | 'frame_rate_exceeded'
  | 'slow_consumer'
  | 'gateway_shutdown';

/** A single request that fails (an HTTP request, or a WebSocket request frame: the socket stays open). */
export type RequestCode =
  | 'not_found'
  | 'method_not_allowed'
  | 'internal'
  | 'request_headers_too_large'
  | 'request_headers_too_many'
  | 'request_timeout'
  | 'bad_request'
  | 'invalid_frame'
  | 'invalid_params'
  | 'unknown_method'
  | 'already_connected'
  | 'scope_missing'
  | 'session_not_found'
  | 'run_not_found'
  | 'session_busy'
  | 'chat_rate_limited'
  | 'models_not_configured'
  | ConfigEditCode;

/** Why `config.patch` refused an edit of the config file (the file is left byte for byte as it was). */
export type ConfigEditCode = 'config_conflict' | 'config_invalid' | 'config_locks_you_out' | 'config_write_failed';

/** Why a model provider could not answer: a chat answer ends with `state: "error"` and one of these. */
export type ProviderCode = 'provider_unreachable' | 'provider_timeout' | 'provider_auth_failed' | 'provider_rate_limited' | 'provider_error';

/** Why the chat store cannot be used (reported with the file and fix; chat is then unavailable). */
export type StoreCode =
  | 'store_permission_denied'
  | 'store_read_only'
  | 'store_not_a_database'
  | 'store_corrupt'
  | 'store_full'
  | 'store_busy'
  | 'store_too_new'
  | 'store_io_error';

/** Why a chat answer ended before the model finished it, other than a provider failure (`state: "aborted"` or `"incomplete"`). */
export type RunCode = 'chat_aborted' | 'chat_scope_revoked' | 'chat_session_deleted' | 'gateway_restarted' | 'gateway_stopped';

export type ReasonCode = AuthCode | AdmissionCode | SessionCode | RequestCode | ProviderCode | StoreCode | RunCode;

/** Codes that end a WebSocket session: each row has a close code. */
export type ClosingCode = AuthCode | AdmissionCode | SessionCode;

/** The `error.type` of an HTTP error body. */
export type ErrorType = 'unauthorized' | 'forbidden' | 'rate_limited' | 'bad_request' | 'conflict' | 'unavailable' | 'not_found' | 'internal';

interface Row {
  /** HTTP status; for codes only a WebSocket sees, the equivalent status. */
  readonly status: number;
  /** The `error.type` of the HTTP error body. */
  readonly type: ErrorType;
  /** Extra HTTP response headers (names lowercase). */
  readonly headers?: Readonly<Record<string, string>>;
  /** What happened, for a person. */
  readonly message: string;
  /** What to change, for a person. */
  readonly fix: string;
}

/** A row of a code that closes a WebSocket session. */
export interface ClosingRow extends Row {
  readonly kind: 'auth' | 'admission' | 'session';
  readonly closeCode: number;
  /** The error-frame code sent in reply to the request that caused the close (connect), if any. */
  readonly wsError?: ErrorCode;
  /** Retry-After from the failure itself (a lockout's remaining time), on top of `headers`. */
  readonly retryAfter?: 'lockout';
}

/** A row of a code that fails one request. */
export interface RequestRow extends Row {
  readonly kind: 'request';
  /** The error-frame code of a WebSocket request failing this way; none for HTTP-only codes. */
  readonly wsError?: ErrorCode;
}

/** A row of a code a chat answer or the chat store reports. */
export interface ChatRow extends Row {
  readonly kind: 'provider' | 'store' | 'run';
}

export type ReasonRow = ClosingRow | RequestRow | ChatRow;

type RowOf<C extends ReasonCode> = C extends AuthCode
  ? ClosingRow & { readonly kind: 'auth' }
  : C extends AdmissionCode
    ? ClosingRow & { readonly kind: 'admission' }
    : C extends SessionCode
      ? ClosingRow & { readonly kind: 'session' }
      : C extends RequestCode
        ? RequestRow
        : C extends ProviderCode
          ? ChatRow & { readonly kind: 'provider' }
          : C extends RunCode
            ? ChatRow & { readonly kind: 'run' }
            : ChatRow & { readonly kind: 'store' };

/** RFC 7235: a 401 names how to authenticate. */
const WWW_AUTHENTICATE = Object.freeze({ 'www-authenticate': 'Bearer realm="mayros"' });
/**
 * A refused client certificate: answered, then the connection is closed, so a proxy that fixes its
 * certificate (or a gateway whose CA changed) starts over with a new handshake.
 */
const CLIENT_CERT_REFUSED = Object.freeze({ ...WWW_AUTHENTICATE, connection: 'close' });
/** The keys may be back in a moment (the key source retries by itself). */
const RETRY_SOON = Object.freeze({ 'retry-after': '5' });

/**
 * The table. `trusted_proxy_missing_header` is one row; its wire code carries the header name
 * (`trusted_proxy_missing_header_x-forwarded-proto`, see wireCode).
 */
export const REASONS: { readonly [C in ReasonCode]: RowOf<C> } = Object.freeze({
  // The auth decision (src/auth/): HTTP error bodies, WebSocket closes, the connect reply.
  trusted_proxy_untrusted_source: {
    kind: 'auth',
    status: 401,
    type: 'unauthorized',
    headers: WWW_AUTHENTICATE,
    closeCode: WS_POLICY_VIOLATION,
    wsError: 'UNAUTHORIZED',
    message: 'The request did not come from an address listed in gateway.trustedProxies.',
    fix: 'Reach the gateway through your identity-aware proxy, or add the proxy\'s own address (as the gateway sees it) to gateway.trustedProxies.',
  },
  trusted_proxy_client_cert_missing: {
    kind: 'auth',
    status: 401,
    type: 'unauthorized',
    headers: CLIENT_CERT_REFUSED,
    closeCode: WS_POLICY_VIOLATION,
    wsError: 'UNAUTHORIZED',
    message: 'The request presented no TLS client certificate, and gateway.auth.trustedProxy.clientCert requires the proxy\'s certificate.',
    fix: 'Make the proxy present its client certificate to the gateway (nginx proxy_ssl_certificate, Caddy tls_client_auth in the reverse_proxy transport, Apache SSLProxyMachineCertificateFile) and connect over https/wss; a request from anywhere else is rightly refused.',
  },
  trusted_proxy_client_cert_invalid: {
    kind: 'auth',
    status: 401,
    type: 'unauthorized',
    headers: CLIENT_CERT_REFUSED,
    closeCode: WS_POLICY_VIOLATION,
    wsError: 'UNAUTHORIZED',
    message: 'The TLS client certificate did not verify against gateway.tls.clientCa: another CA, expired or not yet valid, not meant for client authentication, or verified against a CA that has since been removed.',
    fix: 'Give the proxy a current certificate issued by the CA in gateway.tls.clientCa, with clientAuth in its extended key usage (or none); the gateway log line names the check that failed.',
  },
  trusted_proxy_client_cert_not_allowed: {
    kind: 'auth',
    status: 401,
    type: 'unauthorized',
    headers: CLIENT_CERT_REFUSED,
    closeCode: WS_POLICY_VIOLATION,
    wsError: 'UNAUTHORIZED',
    message: 'The TLS client certificate is valid, but neither its CN nor a DNS or URI subjectAltName is in gateway.auth.trustedProxy.clientCert.allowedNames.',
    fix: 'Add the proxy certificate\'s name to allowedNames (the gateway log line shows the names it presented), or issue the proxy a certificate with a listed name; a certificate of another service from the same CA is rightly refused.',
  },
  trusted_proxy_missing_header: {
    kind: 'auth',
    status: 401,
    type: 'unauthorized',
    headers: WWW_AUTHENTICATE,
    closeCode: WS_POLICY_VIOLATION,
    wsError: 'UNAUTHORIZED',
    message: 'A header listed in gateway.auth.trustedProxy.requiredHeaders was missing or blank.',
    fix: 'Make the proxy set that header on every request (including WebSocket upgrades), or remove it from requiredHeaders.',
  },
  trusted_proxy_user_missing: {
    kind: 'auth',
    status: 401,
    type: 'unauthorized',
    headers: WWW_AUTHENTICATE,
    closeCode: WS_POLICY_VIOLATION,
    wsError: 'UNAUTHORIZED',
    message: 'The identity header named by gateway.auth.trustedProxy.userHeader was missing or blank.',
    fix: 'Check that the proxy authenticated the request and copies the user into exactly that header (hyphens, not underscores).',
  },
  trusted_proxy_user_ambiguous: {
    kind: 'auth',
    status: 401,
    type: 'unauthorized',
    headers: WWW_AUTHENTICATE,
    closeCode: WS_POLICY_VIOLATION,
    wsError: 'UNAUTHORIZED',
    message: 'The identity header arrived more than once, or held a comma-separated list, so the gateway refused to pick one.',
    fix: 'Make the proxy overwrite the identity header (nginx proxy_set_header, Caddy header_up) instead of appending to what the client sent.',
  },
  trusted_proxy_header_invalid_utf8: {
    kind: 'auth',
    status: 401,
    type: 'unauthorized',
    headers: WWW_AUTHENTICATE,
    closeCode: WS_POLICY_VIOLATION,
    wsError: 'UNAUTHORIZED',
    message: 'The identity or groups header was not valid UTF-8, so the gateway could not read the name in it.',
    fix: 'Make the proxy pass user and group names as UTF-8, as it received them from the identity provider (no conversion to Latin-1 or another charset); the gateway log line names the header.',
  },
  trusted_proxy_user_not_allowed: {
    kind: 'auth',
    status: 403,
    type: 'forbidden',
    closeCode: WS_POLICY_VIOLATION,
    wsError: 'UNAUTHORIZED',
    message: 'The proxy authenticated this user, but the user is neither in gateway.auth.trustedProxy.allowUsers nor in a group listed in allowGroups.',
    fix: 'Add the user, exactly as the proxy sends it, to allowUsers, or one of the user\'s groups to allowGroups; empty both lists to admit every user the proxy authenticates.',
  },
  trusted_proxy_groups_ambiguous: {
    kind: 'auth',
    status: 401,
    type: 'unauthorized',
    headers: WWW_AUTHENTICATE,
    closeCode: WS_POLICY_VIOLATION,
    wsError: 'UNAUTHORIZED',
    message: 'The groups header named by gateway.auth.trustedProxy.groupsHeader arrived more than once, so the gateway refused to merge them.',
    fix: 'Make the proxy overwrite the groups header instead of appending to what the client sent.',
  },
  trusted_proxy_assertion_missing: {
    kind: 'auth',
    status: 401,
    type: 'unauthorized',
    headers: WWW_AUTHENTICATE,
    closeCode: WS_POLICY_VIOLATION,
    wsError: 'UNAUTHORIZED',
    message: 'The signed identity assertion header (gateway.auth.trustedProxy.assertion.header) was missing or blank.',
    fix: 'Make the proxy send its signed JWT on every request and WebSocket upgrade (Pomerium: pass identity headers; Cloudflare Access and Google IAP always send it), and check the header name.',
  },
  trusted_proxy_assertion_ambiguous: {
    kind: 'auth',
    status: 401,
    type: 'unauthorized',
    headers: WWW_AUTHENTICATE,
    closeCode: WS_POLICY_VIOLATION,
    wsError: 'UNAUTHORIZED',
    message: 'The signed identity assertion header arrived more than once, so the gateway refused to pick one.',
    fix: 'Make every proxy in the chain overwrite the assertion header instead of appending a second one.',
  },
  trusted_proxy_assertion_invalid: {
    kind: 'auth',
    status: 401,
    type: 'unauthorized',
    headers: WWW_AUTHENTICATE,
    closeCode: WS_POLICY_VIOLATION,
    wsError: 'UNAUTHORIZED',
    message: 'The signed identity assertion failed verification: bad signature, unknown key, algorithm not allowed, wrong issuer or audience, malformed or too large.',
    fix: 'Check assertion.issuer, audience and algorithms against a real token from the proxy, and that the key URL or file is the proxy\'s own; the gateway log line says which check failed.',
  },
  trusted_proxy_assertion_expired: {
    kind: 'auth',
    status: 401,
    type: 'unauthorized',
    headers: WWW_AUTHENTICATE,
    closeCode: WS_POLICY_VIOLATION,
    wsError: 'UNAUTHORIZED',
    message: 'The signed identity assertion is outside its validity window: it has expired, is not valid yet, or claims to be issued in the future.',
    fix: 'Sync the clocks of the proxy and the gateway (NTP); if they drift a little, raise assertion.clockToleranceSec.',
  },
  trusted_proxy_assertion_user_mismatch: {
    kind: 'auth',
    status: 401,
    type: 'unauthorized',
    headers: WWW_AUTHENTICATE,
    closeCode: WS_POLICY_VIOLATION,
    wsError: 'UNAUTHORIZED',
    message: 'The identity header names a different user than the signed assertion does.',
    fix: 'Make the proxy fill userHeader from the same value as the assertion\'s claim (assertion.userClaim), or change userClaim to match what the header carries.',
  },
  trusted_proxy_assertion_keys_unavailable: {
    kind: 'auth',
    status: 503,
    type: 'unavailable',
    headers: RETRY_SOON,
    closeCode: WS_TRY_AGAIN_LATER,
    wsError: 'UNAUTHORIZED',
    message: 'The gateway could not obtain the proxy\'s signing keys, so it cannot verify identities and refuses everyone.',
    fix: 'Check that the gateway can reach assertion.jwksUrl over https (DNS, firewall, egress proxy) and that it serves a JSON Web Key Set; GET /readyz reports when keys are back.',
  },
  token_missing: {
    kind: 'auth',
    status: 401,
    type: 'unauthorized',
    headers: WWW_AUTHENTICATE,
    closeCode: WS_POLICY_VIOLATION,
    wsError: 'UNAUTHORIZED',
    message: 'The gateway is in token mode and the request carried no token.',
    fix: 'Send "Authorization: Bearer <token>" over HTTP, or auth.token in the WebSocket connect frame; the Control UI takes it from #token=... in its URL.',
  },
  token_mismatch: {
    kind: 'auth',
    status: 401,
    type: 'unauthorized',
    headers: WWW_AUTHENTICATE,
    closeCode: WS_POLICY_VIOLATION,
    wsError: 'UNAUTHORIZED',
    message: 'The token sent does not match the gateway token.',
    fix: 'Use the current token: gateway.auth.token, MAYROS_GATEWAY_TOKEN, or the generated token file in the state directory.',
  },
  password_missing: {
    kind: 'auth',
    status: 401,
    type: 'unauthorized',
    headers: WWW_AUTHENTICATE,
    closeCode: WS_POLICY_VIOLATION,
    wsError: 'UNAUTHORIZED',
    message: 'The gateway is in password mode and the request carried no password.',
    fix: 'Send "Authorization: Bearer <password>" over HTTP, or auth.password in the WebSocket connect frame.',
  },
  password_mismatch: {
    kind: 'auth',
    status: 401,
    type: 'unauthorized',
    headers: WWW_AUTHENTICATE,
    closeCode: WS_POLICY_VIOLATION,
    wsError: 'UNAUTHORIZED',
    message: 'The password sent does not match the gateway password.',
    fix: 'Use the password from gateway.auth.password or MAYROS_GATEWAY_PASSWORD.',
  },
  rate_limited: {
    kind: 'auth',
    status: 429,
    type: 'rate_limited',
    retryAfter: 'lockout',
    closeCode: WS_POLICY_VIOLATION,
    wsError: 'UNAUTHORIZED',
    message: 'Too many failed attempts from this client address; it is locked out for a while.',
    fix: 'Wait for the Retry-After delay, then retry with the right credential; see gateway.auth.rateLimit.',
  },
  // Admission: the Host and Origin checks and the connection caps, before or beside the decision.
  host_not_allowed: {
    kind: 'admission',
    status: 421,
    type: 'forbidden',
    closeCode: WS_POLICY_VIOLATION,
    message: 'The request named a host (the Host header) this gateway does not serve; this is how the gateway stops DNS-rebinding pages.',
    fix: 'Open the gateway by a name it serves: on a loopback bind, localhost or 127.0.0.1; behind a proxy that passes the public host name on, add that name to gateway.allowedHosts.',
  },
  origin_not_allowed: {
    kind: 'admission',
    status: 403,
    type: 'forbidden',
    closeCode: WS_POLICY_VIOLATION,
    message: 'A browser WebSocket came from a page on another origin than the gateway\'s own.',
    fix: 'Open the Control UI from the gateway\'s own URL, or add the page\'s origin (scheme://host:port) to gateway.controlUi.allowedOrigins.',
  },
  too_many_connections: {
    kind: 'admission',
    status: 503,
    type: 'unavailable',
    closeCode: WS_TRY_AGAIN_LATER,
    message: 'The gateway already holds gateway.limits.maxConnections WebSocket sessions.',
    fix: 'Retry later; close idle clients, or raise gateway.limits.maxConnections.',
  },
  too_many_unauthenticated: {
    kind: 'admission',
    status: 503,
    type: 'unavailable',
    closeCode: WS_TRY_AGAIN_LATER,
    message: 'Too many WebSockets are open that have not finished "connect" (gateway.limits.maxUnauthenticated).',
    fix: 'Retry later; find the client that opens sockets without connecting, or raise gateway.limits.maxUnauthenticated.',
  },
  too_many_connections_per_address: {
    kind: 'admission',
    status: 429,
    type: 'rate_limited',
    closeCode: WS_TRY_AGAIN_LATER,
    message: 'This client address already holds gateway.limits.maxConnectionsPerAddress WebSocket sessions.',
    fix: 'Close idle tabs or clients on that address and retry; behind a proxy, list it in gateway.trustedProxies and have it send X-Forwarded-For so each client counts on its own; or raise gateway.limits.maxConnectionsPerAddress.',
  },
  too_many_unauthenticated_per_address: {
    kind: 'admission',
    status: 429,
    type: 'rate_limited',
    closeCode: WS_TRY_AGAIN_LATER,
    message: 'This client address already has gateway.limits.maxUnauthenticatedPerAddress WebSockets open that have not finished "connect".',
    fix: 'Retry once they connect or time out; find the client on that address that opens sockets without connecting; behind a proxy, list it in gateway.trustedProxies and have it send X-Forwarded-For; or raise gateway.limits.maxUnauthenticatedPerAddress.',
  },
  // A WebSocket session after its upgrade.
  connect_required: {
    kind: 'session',
    status: 400,
    type: 'bad_request',
    closeCode: WS_POLICY_VIOLATION,
    wsError: 'CONNECT_REQUIRED',
    message: 'The first WebSocket request was not "connect".',
    fix: 'Send {"type":"req","method":"connect",...} as the first frame after the upgrade.',
  },
  protocol_unsupported: {
    kind: 'session',
    status: 400,
    type: 'bad_request',
    closeCode: WS_PROTOCOL_ERROR,
    wsError: 'PROTOCOL_UNSUPPORTED',
    message: 'The client asked for a protocol version this gateway does not speak.',
    fix: 'Upgrade the client or the gateway so both speak protocol version 1.',
  },
  handshake_timeout: {
    kind: 'session',
    status: 408,
    type: 'bad_request',
    closeCode: WS_POLICY_VIOLATION,
    message: 'The client did not send "connect" in time after the WebSocket upgrade.',
    fix: 'Send the connect frame right after the upgrade; check for a proxy buffering WebSocket frames.',
  },
  session_expired: {
    kind: 'session',
    status: 401,
    type: 'unauthorized',
    closeCode: WS_SESSION_EXPIRED,
    message: 'The WebSocket session reached gateway.auth.sessionMaxAgeSec and was closed so the proxy can authenticate it again.',
    fix: 'Reconnect through the proxy (the Control UI does this by itself); raise gateway.auth.sessionMaxAgeSec, or set it to 0, to keep sessions longer.',
  },
  frame_too_large: {
    kind: 'session',
    status: 413,
    type: 'bad_request',
    closeCode: WS_MESSAGE_TOO_BIG,
    message: 'The client sent a WebSocket message larger than gateway.limits.maxFrameBytes.',
    fix: 'Send smaller messages, or raise gateway.limits.maxFrameBytes.',
  },
  frame_rate_exceeded: {
    kind: 'session',
    status: 429,
    type: 'rate_limited',
    closeCode: WS_POLICY_VIOLATION,
    message: 'The client sent WebSocket messages faster than gateway.limits.maxFramesPerSecond allows (beyond frameBurst).',
    fix: 'Pace the client, or raise gateway.limits.maxFramesPerSecond / gateway.limits.frameBurst.',
  },
  slow_consumer: {
    kind: 'session',
    status: 400,
    type: 'bad_request',
    closeCode: WS_POLICY_VIOLATION,
    message: 'The client stopped reading: more than gateway.limits.maxBufferedBytes of replies and events waited to be sent to it.',
    fix: 'Make the client read its socket continuously (check for a stalled tab or a blocked proxy), or raise gateway.limits.maxBufferedBytes.',
  },

  gateway_shutdown: {
    kind: 'session',
    status: 503,
    type: 'unavailable',
    closeCode: WS_GOING_AWAY,
    message: 'The gateway is shutting down or restarting.',
    fix: 'Reconnect once it is back (the Control UI does this by itself); the gateway log says why it stopped.',
  },
  frame_malformed: {
    kind: 'session',
    status: 400,
    type: 'bad_request',
    closeCode: WS_PROTOCOL_ERROR,
    message: 'The client sent a WebSocket frame that breaks the protocol (RFC 6455): unmasked, with a reserved bit or opcode, a bad close code, or a control frame too long.',
    fix: 'Use a standard WebSocket client library; check for a proxy that rewrites WebSocket frames.',
  },
  frame_invalid_utf8: {
    kind: 'session',
    status: 400,
    type: 'bad_request',
    closeCode: WS_INVALID_PAYLOAD,
    message: 'The client sent a WebSocket text message that is not valid UTF-8.',
    fix: 'Send requests as JSON text in UTF-8, as the WebSocket standard requires for text messages.',
  },
  // One request: HTTP answers, and WebSocket error frames that leave the socket open.
  not_found: {
    kind: 'request',
    status: 404,
    type: 'not_found',
    message: 'No such endpoint.',
    fix: 'The gateway serves /healthz, /readyz, the /api routes listed in docs/protocol.md, the Control UI at / and WebSockets at /; check the path, and a proxy that rewrites it.',
  },
  method_not_allowed: {
    kind: 'request',
    status: 405,
    type: 'bad_request',
    headers: Object.freeze({ allow: 'GET, HEAD' }),
    message: 'Only GET is supported here.',
    fix: 'Send GET (or HEAD): these endpoints only read.',
  },
  internal: {
    kind: 'request',
    status: 500,
    type: 'internal',
    wsError: 'INTERNAL',
    message: 'The request could not be answered: something failed inside the gateway.',
    fix: 'Retry; if it keeps failing, the gateway log has the error (please report it).',
  },
  request_headers_too_large: {
    kind: 'request',
    status: 431,
    type: 'bad_request',
    message: 'The request\'s headers were larger than the gateway reads (16 KiB), so it was refused unread.',
    fix: 'Send fewer or smaller headers (large cookies are the usual cause); a proxy in front should not add kilobytes of its own.',
  },
  request_headers_too_many: {
    kind: 'request',
    status: 431,
    type: 'bad_request',
    message: 'The request reached a cap on the number of header lines, past which lines may have been dropped unseen, so it was refused rather than decided on part of its headers.',
    fix: 'Send fewer header lines; this happens only where a header-count cap is in force (an embedder that set maxHeadersCount on the gateway\'s server).',
  },
  request_timeout: {
    kind: 'request',
    status: 408,
    type: 'bad_request',
    message: 'The client did not send its request headers within gateway.limits.handshakeTimeoutMs.',
    fix: 'Send the request right after connecting; look for a stalled client or a proxy that holds requests back.',
  },
  bad_request: {
    kind: 'request',
    status: 400,
    type: 'bad_request',
    message: 'The request was not valid HTTP/1.1, so it was refused before the gateway read it.',
    fix: 'Use a standard HTTP client; check for a proxy that mangles requests.',
  },
  invalid_frame: {
    kind: 'request',
    status: 400,
    type: 'bad_request',
    wsError: 'INVALID_FRAME',
    message: 'A WebSocket message was not a request frame: binary, not JSON, or without type, id or method.',
    fix: 'Send {"type":"req","id":...,"method":...,"params":...} as JSON text; the error message says what was wrong.',
  },
  invalid_params: {
    kind: 'request',
    status: 400,
    type: 'bad_request',
    wsError: 'INVALID_PARAMS',
    message: 'The params of a WebSocket request do not match what the method takes.',
    fix: 'Correct the field the error message names.',
  },
  unknown_method: {
    kind: 'request',
    status: 404,
    type: 'not_found',
    wsError: 'UNKNOWN_METHOD',
    message: 'A WebSocket request named a method this gateway does not have.',
    fix: 'Check the name against the list in the error message; an older gateway lacks newer methods (compare server.version in hello-ok).',
  },
  already_connected: {
    kind: 'request',
    status: 400,
    type: 'bad_request',
    wsError: 'ALREADY_CONNECTED',
    message: 'The session sent "connect" a second time.',
    fix: 'Send connect once per socket; to sign in again, open a new socket.',
  },
  scope_missing: {
    kind: 'request',
    status: 403,
    type: 'forbidden',
    wsError: 'FORBIDDEN',
    message: 'The signed-in person\'s scopes do not include the one this method or route needs.',
    fix: 'Ask the gateway\'s operator for the scope: a rule in gateway.authorization.rules naming you or one of your groups, or gateway.authorization.defaultScopes; `mayros auth explain` shows your scopes and where each comes from.',
  },
  // Editing the config file from the console (config.patch): nothing is written when refused.
  config_conflict: {
    kind: 'request',
    status: 409,
    type: 'conflict',
    wsError: 'CONFLICT',
    message: 'The config file changed after you loaded it (another admin, a hand edit or a config manager); nothing was written.',
    fix: 'Load the config again (the error carries the file\'s current hash), look at what changed, and apply your change to the current version.',
  },
  config_invalid: {
    kind: 'request',
    status: 422,
    type: 'bad_request',
    wsError: 'INVALID_PARAMS',
    message: 'The config this change would produce would not start the gateway; nothing was written.',
    fix: 'Correct the fields listed (each names the field and the fix): the same checks as `mayros config validate`.',
  },
  config_locks_you_out: {
    kind: 'request',
    status: 409,
    type: 'conflict',
    wsError: 'CONFLICT',
    message: 'This change would refuse you, the admin sending it (you would no longer be allowed in, or no longer be an admin); nothing was written.',
    fix: 'Change it so that you stay allowed and an admin, or send it again with confirm: true if you mean to lock yourself out.',
  },
  config_write_failed: {
    kind: 'request',
    status: 500,
    type: 'internal',
    wsError: 'INTERNAL',
    message: 'The gateway could not write the config file (permissions, a full disk, or an owner it cannot keep); the file was left as it was.',
    fix: 'Check the file, its directory and the disk on the gateway host (the error names the system error), or edit the file by hand.',
  },
  // Chat requests refused (the socket stays open).
  session_not_found: {
    kind: 'request',
    status: 404,
    type: 'not_found',
    wsError: 'NOT_FOUND',
    message: 'No chat session with this key is yours (it does not exist, was deleted, or belongs to someone else: the answer is the same).',
    fix: 'List your sessions with sessions.list and use one of their keys, or send without sessionKey to start a new session.',
  },
  run_not_found: {
    kind: 'request',
    status: 404,
    type: 'not_found',
    wsError: 'NOT_FOUND',
    message: 'No chat run with this id is yours.',
    fix: 'Use the runId that chat.send answered; a run of someone else\'s cannot be stopped.',
  },
  session_busy: {
    kind: 'request',
    status: 409,
    type: 'bad_request',
    wsError: 'CONFLICT',
    message: 'An answer is still being written in this session; a session answers one message at a time.',
    fix: 'Wait for the answer to end (its final, error or aborted event), or stop it with chat.abort, then send again.',
  },
  chat_rate_limited: {
    kind: 'request',
    status: 429,
    type: 'rate_limited',
    wsError: 'RATE_LIMITED',
    message: 'You have reached a per-person chat limit: answers streaming at once (chat.maxConcurrentRuns) or messages sent in the last minute (chat.sendsPerMinute).',
    fix: 'Wait for an answer to end or for the minute to pass, then send again; the gateway\'s operator can raise chat.maxConcurrentRuns and chat.sendsPerMinute.',
  },
  models_not_configured: {
    kind: 'request',
    status: 503,
    type: 'unavailable',
    wsError: 'UNAVAILABLE',
    message: 'No model server is configured: the gateway\'s config has no models section.',
    fix: 'Add to the config file: models: { providers: { local: { baseUrl: "http://127.0.0.1:11434/v1", models: ["llama3.2"] } }, default: "local/llama3.2" } (your server\'s address and model), then reload.',
  },
  // Model providers: a chat answer ends with `state: "error"` and one of these; no socket is closed.
  provider_unreachable: {
    kind: 'provider',
    status: 502,
    type: 'unavailable',
    message: 'The gateway could not connect to the model server (connection refused, unknown host or a TLS failure).',
    fix: 'Start the model server, or correct models.providers.<name>.baseUrl; `mayros models list` shows whether each provider answers.',
  },
  provider_timeout: {
    kind: 'provider',
    status: 504,
    type: 'unavailable',
    message: 'The model server went silent for longer than models.requestTimeoutSec, before or during its answer.',
    fix: 'Check the model server\'s load (a model still loading or a long prompt on a CPU can take minutes), or raise models.requestTimeoutSec.',
  },
  provider_auth_failed: {
    kind: 'provider',
    status: 502,
    type: 'unavailable',
    message: 'The model server refused the gateway\'s API key (HTTP 401 or 403).',
    fix: 'Set a valid key with access to the model in models.providers.<name>.apiKey and reload, or in the environment variable it names and restart the gateway (its environment is read at start).',
  },
  provider_rate_limited: {
    kind: 'provider',
    status: 429,
    type: 'rate_limited',
    message: 'The model server is rate-limiting the gateway (HTTP 429).',
    fix: 'Wait and send again; if it persists, raise the quota with the provider or lower the per-person chat limits.',
  },
  provider_error: {
    kind: 'provider',
    status: 502,
    type: 'unavailable',
    message: 'The model server failed: a server error, a refused request, or a stream that was malformed or cut off mid-answer.',
    fix: 'Look at the model server\'s own log; the gateway log line names the HTTP status or what was wrong with the stream. Check the model name in models.providers.<name>.models.',
  },
  // A chat answer ended before the model finished it (the text so far is kept).
  chat_aborted: {
    kind: 'run',
    status: 409,
    type: 'bad_request',
    message: 'The answer was stopped by its owner (chat.abort, the Stop button).',
    fix: 'Nothing to fix; send the message again for a new answer.',
  },
  chat_scope_revoked: {
    kind: 'run',
    status: 403,
    type: 'forbidden',
    message: 'The answer was stopped because a configuration reload took operator.write from its owner.',
    fix: 'Ask the gateway\'s operator for operator.write (gateway.authorization); `mayros auth explain` shows your scopes.',
  },
  chat_session_deleted: {
    kind: 'run',
    status: 410,
    type: 'not_found',
    message: 'The answer was stopped because its session was deleted.',
    fix: 'Nothing to fix; the session and its messages are gone.',
  },
  gateway_restarted: {
    kind: 'run',
    status: 503,
    type: 'unavailable',
    message: 'The gateway stopped (or was killed) while the answer was being written; the text received until then is kept, marked incomplete.',
    fix: 'Send the message again. If the gateway was not stopped on purpose, look for a crash or the out-of-memory killer in the system log.',
  },
  gateway_stopped: {
    kind: 'run',
    status: 503,
    type: 'unavailable',
    message: 'The gateway was shutting down while the answer was being written; the text received until then is kept, marked incomplete.',
    fix: 'Send the message again once the gateway is back.',
  },
  // The chat store: reported with the file named in place of {file} and its directory in place of {dir}.
  store_permission_denied: {
    kind: 'store',
    status: 503,
    type: 'unavailable',
    message: 'the gateway has no permission to read and write the chat database',
    fix: 'give the user the gateway runs as read and write access to {file} and its directory {dir} (or set MAYROS_STATE_DIR to a directory it owns)',
  },
  store_read_only: {
    kind: 'store',
    status: 503,
    type: 'unavailable',
    message: 'the chat database or its directory is read-only',
    fix: 'make {dir} writable by the gateway user: SQLite writes {file} and creates {file}-wal and {file}-shm beside it (a read-only file system needs MAYROS_STATE_DIR on a writable one)',
  },
  store_not_a_database: {
    kind: 'store',
    status: 503,
    type: 'unavailable',
    message: 'the file is not an SQLite database',
    fix: 'move {file} away (it is not Mayros chat data, or it was overwritten); the gateway creates a new database on its next start',
  },
  store_corrupt: {
    kind: 'store',
    status: 503,
    type: 'unavailable',
    message: 'the chat database is damaged',
    fix: 'stop the gateway and try `sqlite3 {file} ".recover"` into a new file; or move {file} and its -wal/-shm files away to start with an empty chat history',
  },
  store_full: {
    kind: 'store',
    status: 503,
    type: 'unavailable',
    message: 'the disk holding the chat database is full; the write was not saved',
    fix: 'free space on the file system of {dir} (or move MAYROS_STATE_DIR); the gateway retries on the next message',
  },
  store_busy: {
    kind: 'store',
    status: 503,
    type: 'unavailable',
    message: 'another process holds a write lock on the chat database',
    fix: 'stop the other program using {file} (a second gateway on the same state directory, or an sqlite3 shell in a transaction)',
  },
  store_too_new: {
    kind: 'store',
    status: 503,
    type: 'unavailable',
    message: 'the chat database was written by a newer version of Mayros',
    fix: 'run the newer version again, or point MAYROS_STATE_DIR at another directory; this version does not downgrade {file}',
  },
  store_io_error: {
    kind: 'store',
    status: 503,
    type: 'unavailable',
    message: 'the chat database could not be read or written (input/output error)',
    fix: 'check the disk and the file system of {dir} (the system log names the device), and that {file} is a regular file',
  },
});

/**
 * The error of a WebSocket request refused with a request code that has an error-frame code
 * (session_not_found, session_busy, ...) or with a store code (`UNAVAILABLE`): `{code, reason,
 * message}`; `message` defaults to the row's.
 */
export function requestError(code: RequestCode | StoreCode, message?: string): ResponseError & { reason: string } {
  const row = REASONS[code];
  return { code: ('wsError' in row && row.wsError) || 'UNAVAILABLE', reason: code, message: message ?? row.message };
}

/** Every code in the table, in a stable order. */
export const ALL_CODES = Object.freeze(Object.keys(REASONS) as ReasonCode[]);

/** The codes of one kind of row, in table order. */
export function codesOf<K extends ReasonRow['kind']>(kind: K): ReasonCode[] {
  return ALL_CODES.filter((c) => REASONS[c].kind === kind);
}

/** The stable code sent on the wire and written in logs: the row's code, with the header name for a missing required header. */
export function wireCode(r: { readonly reason: ReasonCode; readonly header?: string }): string {
  if (r.reason === 'trusted_proxy_missing_header' && r.header !== undefined) return `trusted_proxy_missing_header_${r.header.toLowerCase()}`;
  return r.reason;
}

/** The troubleshooting-docs anchor for a code (the header variant shares one entry). */
export function docsAnchor(code: ReasonCode): string {
  return code === 'trusted_proxy_missing_header' ? 'trusted_proxy_missing_header_name' : code;
}

/** Looks up a wire code (as seen in a close frame or error body) back to its row's code. */
export function reasonFromWireCode(wire: string): ReasonCode | undefined {
  if (wire.startsWith('trusted_proxy_missing_header_')) return 'trusted_proxy_missing_header';
  return Object.hasOwn(REASONS, wire) ? (wire as ReasonCode) : undefined;
}

/** Request codes answered on a WebSocket with an error frame (the socket stays open). */
export type FrameErrorCode = 'invalid_frame' | 'invalid_params' | 'unknown_method' | 'already_connected' | 'internal';

/** The error of a WebSocket response for a request that failed with `code`; `message` says what exactly. */
export function frameError(code: FrameErrorCode, message: string): ResponseError {
  return { code: REASONS[code].wsError ?? 'INTERNAL', message };
}

/**
 * The error of a request refused for a missing scope: `{code: "FORBIDDEN", reason: "scope_missing",
 * message: "<what> needs <scope>; you have <scopes>"}`. `what` is the method or route refused.
 */
export function scopeMissingError(what: string, needed: Scope, scopes: ScopeList): ResponseError & { reason: 'scope_missing' } {
  return { code: 'FORBIDDEN', reason: 'scope_missing', message: scopeMissingMessage(what, needed, scopes) };
}
