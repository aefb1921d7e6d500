/**
 * A tiny auth endpoint standing in for oauth2-proxy's `/oauth2/auth`, for nginx `auth_request`
 * and Caddy `forward_auth`. It answers 200 with `X-Auth-Request-Email` (and, for a user with
 * groups, `X-Auth-Request-Groups`, comma-separated as oauth2-proxy sends them) for a known session
 * and 401 otherwise, on any path and method, and never 101: Caddy's forward_auth passes a client's
 * `Upgrade` header on to the auth endpoint, which must still answer with a plain status.
 * (examples/proxies/nginx/stand-in-auth.mjs is the one operators run; this one adds the session
 * header and the headerless sessions the suites need.)
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** The session cookie a browser client carries. */
export const SESSION_COOKIE = 'mayros_test_session';
/** The session header a non-browser client (curl, ws) may send instead. */
export const SESSION_HEADER = 'x-test-session';
/** The header the auth endpoint puts the authenticated email in. */
export const IDENTITY_HEADER = 'x-auth-request-email';
/** The header the auth endpoint puts the user's groups in. */
export const GROUPS_HEADER = 'x-auth-request-groups';

/** A signed-in person: the email, and the groups the auth answer names (none: no groups header). */
export type SessionUser = string | { email: string; groups?: readonly string[] };

export interface AuthServiceOptions {
  /** session id -> email, or email and groups. */
  users: Record<string, SessionUser>;
  /**
   * Session ids that are accepted (200) without any identity header: a partial or misconfigured
   * auth answer, to show what the proxy forwards to the gateway then.
   */
  headerlessSessions?: readonly string[];
}

export interface AuthService {
  readonly port: number;
  readonly url: string;
  /** How many auth checks were answered. */
  requests(): number;
  stop(): Promise<void>;
}

function sessionOf(req: IncomingMessage): string | undefined {
  const fromHeader = req.headers[SESSION_HEADER];
  if (typeof fromHeader === 'string' && fromHeader) return fromHeader;
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** Starts the auth endpoint on 127.0.0.1 at a kernel-chosen port. */
export async function startAuthService(opts: AuthServiceOptions): Promise<AuthService> {
  const users = new Map(Object.entries(opts.users));
  const headerless = new Set(opts.headerlessSessions ?? []);
  let count = 0;

  const decide = (req: IncomingMessage): { status: number; headers: Record<string, string> } => {
    count++;
    const sid = sessionOf(req);
    if (sid !== undefined && users.has(sid)) {
      const u = users.get(sid)!;
      const { email, groups } = typeof u === 'string' ? { email: u, groups: undefined } : u;
      return { status: 200, headers: { 'X-Auth-Request-Email': email, ...(groups?.length ? { 'X-Auth-Request-Groups': groups.join(',') } : {}) } };
    }
    if (sid !== undefined && headerless.has(sid)) return { status: 200, headers: {} };
    return { status: 401, headers: {} };
  };

  const server = createServer((req, res) => {
    const { status, headers } = decide(req);
    res.writeHead(status, { ...headers, 'Content-Length': '0', 'Cache-Control': 'no-store' });
    res.end();
  });
  // Node hands requests carrying `Upgrade` to this event; answer them like any other check.
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    const { status, headers } = decide(req);
    const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    socket.end(`HTTP/1.1 ${status} ${status === 200 ? 'OK' : 'Unauthorized'}\r\n${lines}Content-Length: 0\r\nConnection: close\r\n\r\n`);
  });
  server.on('clientError', (_e, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    requests: () => count,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
