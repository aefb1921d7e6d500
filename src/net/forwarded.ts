/**
 * Whether a request came through a proxy, and whether that proxy is one the gateway trusts. The
 * gateway tells a client this about its own request on /healthz only, so `security audit --deep`
 * probing through a proxy can learn that the proxy is not trusted (the gateway then ignores its
 * forwarding headers and sees every client as the proxy's address).
 */

/** The response header on /healthz that carries the verdict; absent for a request without forwarding headers. */
export const FORWARDED_VERDICT_HEADER = 'x-mayros-forwarded';

/** Request headers by which a proxy says that it forwarded the request. */
export const FORWARDING_HEADERS: readonly string[] = Object.freeze(['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-real-ip']);

/**
 * `trusted-proxy`: the request carries forwarding headers and came from a trusted proxy (an address
 * in trustedProxies, the Unix socket, a proxy's client certificate).
 * `untrusted-peer`: it carries them, but its peer is not trusted, so they are ignored.
 */
export type ForwardedVerdict = 'trusted-proxy' | 'untrusted-peer';

/** The verdict for one request, or undefined when it carries no forwarding header. */
export function forwardedVerdict(peerTrusted: boolean, headers: Readonly<Record<string, unknown>>): ForwardedVerdict | undefined {
  if (!FORWARDING_HEADERS.some((h) => headers[h] !== undefined)) return undefined;
  return peerTrusted ? 'trusted-proxy' : 'untrusted-peer';
}

/** The /healthz response header for that verdict (undefined: no header). */
export function forwardedVerdictHeaders(peerTrusted: boolean, headers: Readonly<Record<string, unknown>>): Record<string, string> | undefined {
  const v = forwardedVerdict(peerTrusted, headers);
  return v ? { [FORWARDED_VERDICT_HEADER]: v } : undefined;
}
