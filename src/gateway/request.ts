/**
 * Adapters from Node's IncomingMessage to the plain data the auth decision reads.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { AuthPolicy } from '../auth/policy.js';
import type { HeaderMap } from '../auth/types.js';
import { carriesForwarding, resolveClientIp } from '../net/client-ip.js';
import { normalizeIp } from '../net/ip.js';
import { peerLabel, viaTcp, type Via } from '../net/transport.js';
import { ORIGIN_HEADERS } from '../auth/origin.js';
import { fromTrustedProxy } from '../auth/source.js';

/** How each connection arrived (see noteVia): a connection's transport never changes. */
const vias = new WeakMap<Socket, Via>();

/**
 * Records how a connection arrived, when its listener accepts it (the Unix socket), or when its
 * TLS handshake completes (the client certificate); see src/gateway/listen/.
 */
export function noteVia(socket: Socket, via: Via): void {
  vias.set(socket, via);
}

/**
 * How a request arrived, worked out once per connection and reused by every request a keep-alive
 * connection carries. A connection no listener recorded is plain TCP from its remote address,
 * normalised (IPv4-mapped IPv6 unwrapped).
 */
export function viaOf(req: IncomingMessage): Via {
  const socket = req.socket;
  let via = vias.get(socket);
  if (via === undefined) {
    const address = socket.remoteAddress;
    via = viaTcp(normalizeIp(address ?? ''));
    // A socket that has already closed has no address; do not remember that.
    if (address !== undefined) vias.set(socket, via);
  }
  return via;
}

/** Connections whose client CA was removed by a reload, and what they now count as. */
const removedCa = new WeakMap<Via, Via>();

/**
 * `via` as the configuration generation in force sees it: a client certificate verified against a
 * CA that gateway.tls.clientCa no longer holds counts as invalid (CA_REMOVED), so removing a CA
 * also shuts out the keep-alive connections and WebSocket sessions it admitted. One set lookup, and
 * only for a verified client certificate.
 */
export function currentVia(via: Via, anchors: ReadonlySet<string> | undefined): Via {
  if (via.kind !== 'tls' || via.cert.state !== 'valid' || anchors?.has(via.cert.anchor)) return via;
  let stale = removedCa.get(via);
  if (stale === undefined) {
    stale = Object.freeze({ kind: 'tls', peer: via.peer, cert: Object.freeze({ state: 'invalid', why: 'CA_REMOVED' }) });
    removedCa.set(via, stale);
  }
  return stale;
}

/** The peer address of a request (normalised), or "unix" for one on the Unix socket. */
export function peerOf(req: IncomingMessage): string {
  return peerLabel(viaOf(req));
}

/**
 * Header lines Node keeps when `server.maxHeadersCount` is not a number: its parser's own default,
 * counted in rawHeaders entries (a name and a value each), so 1,000 header lines.
 */
const NODE_DEFAULT_HEADER_ENTRIES = 2000;

/**
 * Whether Node may have cut a request's header list. Past `server.maxHeadersCount` Node drops the
 * remaining header lines without a word (rawHeaders stops near the cap), so a second identity
 * header after enough filler lines would go unseen. The gateway sets the cap to 0 (no count cap;
 * the 16 KiB byte limit bounds a request instead); this check is the second line: if a cap is in
 * force anyway (a changed setting, a Node release that reads it differently), a list that reached
 * it is refused, never decided on. Pure: `rawEntries` is `req.rawHeaders.length`.
 */
export function headerListMayBeCut(rawEntries: number, maxHeadersCount: number | null | undefined): boolean {
  if (typeof maxHeadersCount !== 'number') return rawEntries >= NODE_DEFAULT_HEADER_ENTRIES;
  // 0 (or less) means no cap in Node; NaN is not a cap Node would apply either.
  if (!(maxHeadersCount > 0)) return false;
  return rawEntries >= maxHeadersCount * 2;
}

/** headerListMayBeCut for a request, reading the cap of the server that parsed it. */
export function headersCut(req: IncomingMessage): boolean {
  // No server known (a detached socket): assume Node's default cap, which fails closed.
  const server = (req.socket as (Socket & { server?: Server }) | null)?.server;
  return headerListMayBeCut(req.rawHeaders.length, server?.maxHeadersCount);
}

/**
 * The Host header value(s): a string when sent once, an array when repeated, undefined when absent.
 * A scan of rawHeaders (req.headers would build an object of every header).
 */
export function hostOf(req: IncomingMessage): string | string[] | undefined {
  const raw = req.rawHeaders;
  let found: string | string[] | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length !== 4 || name.toLowerCase() !== 'host') continue;
    const value = raw[i + 1]!;
    found = found === undefined ? value : typeof found === 'string' ? [found, value] : [...found, value];
  }
  return found;
}

/** The names read on one surface under one policy, and their lengths: a header of any other length is skipped unread. */
interface HeaderNames {
  /**
   * Each name mapped to itself: a request's header name is a fresh string, and storing it under
   * the one string kept here lets V8 reuse its property lookup instead of hashing the new key.
   */
  names: ReadonlyMap<string, string>;
  lengths: readonly boolean[];
}

const namesByPolicy = new WeakMap<AuthPolicy, { http: HeaderNames; ws: HeaderNames }>();

function compileNames(list: Iterable<string>): HeaderNames {
  const names = new Map<string, string>();
  for (const n of list) names.set(n, n);
  const lengths: boolean[] = [];
  for (const n of names.keys()) lengths[n.length] = true;
  // Filled in so the array stays packed (holes would make each read slower).
  for (let i = 0; i < lengths.length; i++) lengths[i] = lengths[i] === true;
  return { names, lengths };
}

/**
 * What an upgrade reads besides the policy's own headers: the origin check's, and the client
 * address the per-address caps count (address-caps.ts).
 */
const UPGRADE_HEADERS: readonly string[] = [...ORIGIN_HEADERS, 'x-forwarded-for', 'x-real-ip'];

/**
 * The header names read under `policy` on a surface: the ones its mode reads (policy.headers),
 * and on WebSocket upgrades UPGRADE_HEADERS too. Computed once per policy (a policy is immutable;
 * a reload compiles a new one).
 */
function namesFor(policy: AuthPolicy): { http: HeaderNames; ws: HeaderNames } {
  // Nearly every request runs under the policy in force: one comparison instead of a WeakMap probe.
  if (last?.policy === policy) return last.names;
  let d = namesByPolicy.get(policy);
  if (d === undefined) {
    d = { http: compileNames(policy.headers), ws: compileNames([...policy.headers, ...UPGRADE_HEADERS]) };
    namesByPolicy.set(policy, d);
  }
  last = { policy, names: d };
  return d;
}

/** The policy namesFor answered last, with its names (a reload's new policy replaces it). */
let last: { policy: AuthPolicy; names: { http: HeaderNames; ws: HeaderNames } } | undefined;

/**
 * What headersOf returns: an object whose prototype is an empty object with no prototype, so no
 * name (`constructor`, `__proto__`, `toString`) resolves to anything inherited. Unlike
 * Object.create(null), which V8 keeps as a hash table, objects built this way get the fast
 * property layout, shared by every request that sends the same headers in the same order.
 */
const HeaderBag = function HeaderBag() {} as unknown as new () => Record<string, string | string[]>;
HeaderBag.prototype = Object.create(null);

/**
 * The headers read under `policy` on `surface` (see namesFor), with repeats kept apart: a header sent once is a
 * string, one sent more than once an array of every value in arrival order, so a doubled identity
 * header is visible (Node's `req.headers` would join it with ", ").
 *
 * Read straight from `req.rawHeaders` instead of `req.headersDistinct`, which builds an array for
 * every header of the request and cost about 1 us per request (docs/performance.md). Names are
 * compared lowercased and otherwise exactly, as Node lowercases them for `headersDistinct`: an
 * underscore spelling (`x_forwarded_user`) is a different name and never counts. Headers the
 * policy does not read are left out. Nothing is inherited (see HeaderBag), so a configured name
 * such as `constructor` can never resolve to an inherited property.
 */
export function headersOf(req: IncomingMessage, policy: AuthPolicy, surface: 'http' | 'ws'): HeaderMap {
  const { names, lengths } = namesFor(policy)[surface];
  const raw = req.rawHeaders;
  const out = new HeaderBag();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    // Lowercasing keeps the length, so a name of another length can be skipped without it.
    if (lengths[raw[i]!.length] !== true) continue;
    const name = names.get(raw[i]!.toLowerCase());
    if (name === undefined) continue;
    const value = raw[i + 1]!;
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else if (typeof prev === 'string') out[name] = [prev, value];
    else prev.push(value);
  }
  return out;
}

/**
 * Whether the failure limiter may exempt this request's client as loopback: not when it carries
 * forwarding headers from a peer that is not a trusted proxy (an unlisted proxy on this host makes
 * every client look like 127.0.0.1). `headers` from headersOf in token or password mode.
 */
export function mayExemptLoopback(headers: HeaderMap, via: Via, policy: AuthPolicy): boolean {
  return !carriesForwarding(headers) || fromTrustedProxy(via, policy);
}

/**
 * The client address for the failure limiter and the per-address caps: resolved through trusted
 * proxies (X-Forwarded-For from the proxy on the Unix socket is believed, as from a listed
 * address); without one, the peer, or "unix" on the socket. `headers` from headersOf.
 */
export function clientIpOf(headers: HeaderMap, via: Via, policy: AuthPolicy): string {
  return resolveClientIp(
    {
      peer: peerLabel(via),
      peerTrusted: fromTrustedProxy(via, policy),
      xForwardedFor: headers['x-forwarded-for'] as string | string[] | undefined,
      xRealIp: headers['x-real-ip'] as string | string[] | undefined,
    },
    policy.trustedProxies,
    policy.allowRealIpFallback,
  );
}
