/**
 * Checks of trusted-proxy mode and of `gateway.trustedProxies`.
 */
import type { Config } from '../config/schema.js';
import { isLoopbackBind } from '../config/validate.js';
import { finding, type Finding } from './findings.js';
import { classifyEntry, ownAddressesIn, rangeSize, type EntryClass, type InterfaceTable } from './ranges.js';
import { describeProxyHeaders, proxyDecisionHeaders } from './proxy-headers.js';

const quoteList = (items: readonly string[]) => items.map((s) => `"${s}"`).join(', ');

/** The trusted-proxy mode reminder and the mode's own settings. */
export function checkTrustedProxyMode(config: Config): Finding[] {
  const g = config.gateway;
  const tp = g.auth.trustedProxy;
  if (g.auth.mode !== 'trusted-proxy') return [];
  const out: Finding[] = [];
  const header = tp.userHeader ?? '(the userHeader)';
  const read = proxyDecisionHeaders(config);
  const forwarded = describeProxyHeaders(tp.userHeader ? read : [{ name: header, role: 'user' }, ...read]);
  const sock = g.listen.unixSocket;
  const cert = tp.clientCert;
  const exposure =
    g.bind === 'none'
      ? `The gateway listens only on its Unix socket ${sock?.path ?? '(not set)'}, so the proxy must run on this host and be able to open it.`
      : isLoopbackBind(config)
        ? 'The gateway listens on loopback only, so the proxy must run on this host.'
        : `gateway.bind is "${g.bind}": the port is reachable beyond this host, so a firewall must let only the proxy connect to it.`;
  // How the gateway knows a request is the proxy's.
  const proofs = [
    ...(sock ? [`on the Unix socket ${sock.path} (whoever its file permissions, mode ${sock.mode}${sock.group !== undefined ? ` group ${sock.group}` : ''}, let connect)`] : []),
    ...(g.bind !== 'none' && (g.trustedProxies.length > 0 || !cert)
      ? [`from the ${g.trustedProxies.length} address(es) in gateway.trustedProxies${cert ? `, with a TLS client certificate from gateway.tls.clientCa named ${cert.allowedNames.map((n) => `"${n}"`).join(' or ')}` : ''}`]
      : []),
    ...(g.bind !== 'none' && g.trustedProxies.length === 0 && cert ? [`from any address with a TLS client certificate from gateway.tls.clientCa named ${cert.allowedNames.map((n) => `"${n}"`).join(' or ')}`] : []),
  ];
  out.push(
    finding(
      'gateway.trusted_proxy_mode',
      'critical',
      'Trusted-proxy mode: authentication is delegated to your proxy',
      `gateway.auth.mode is "trusted-proxy": the gateway admits whoever the proxy names in ${header}, in a request ${proofs.join(', or ')}. ` +
        `That is safe only while you guarantee three things: (1) the proxy is the only path to the gateway: nothing else can ${sock ? 'open the socket or ' : ''}connect from a trustedProxies address${cert ? ' or hold a certificate with an allowed name' : ''}, and nobody can reach the gateway's port around the proxy; ` +
        `(2) on every request, WebSocket upgrades included, the proxy sets or removes every header the gateway reads from it, so a client can never supply its own: ${forwarded}; and it overwrites X-Forwarded-For, X-Forwarded-Host and X-Forwarded-Proto instead of appending to the client's (the browser origin check reads the host); ` +
        `(3) TLS ends at the proxy, and the hop from the proxy to the gateway stays on loopback or a private link. ${exposure}`,
      `No setting silences this finding: it stays while authentication is delegated. Check the three guarantees, then prove them: ` +
        `\`mayros auth explain --from <proxy-ip> --header '${header}: <user>'\` shows the decision step by step; a signed-in request through the proxy that also carries its own copy of each header above must still get the proxy's user and groups from /api/whoami; and a request to /api/whoami that bypasses the proxy must be refused with trusted_proxy_untrusted_source.`,
    ),
  );
  if (g.trustedProxies.length === 0 && !sock && !cert) {
    out.push(
      finding(
        'gateway.trusted_proxy_no_proxies',
        'critical',
        'Trusted-proxy mode with no way to know the proxy',
        'gateway.trustedProxies is empty, and there is neither a Unix socket (gateway.listen.unixSocket) nor a client certificate check (gateway.auth.trustedProxy.clientCert), so every request would be refused with trusted_proxy_untrusted_source; the gateway refuses to start this way.',
        'For a proxy on this host, listen on a Unix socket only the proxy can open (gateway.listen.unixSocket with its group, and bind "none"); for one on another host, require its client certificate (gateway.tls with clientCa, trustedProxy.clientCert) and list its own address (e.g. gateway.trustedProxies: ["10.0.0.5"]).',
      ),
    );
  }
  if (!tp.userHeader) {
    out.push(
      finding(
        'gateway.trusted_proxy_no_user_header',
        'critical',
        'Trusted-proxy mode without an identity header',
        'gateway.auth.trustedProxy.userHeader is not set, so the gateway cannot know which header names the user; the gateway refuses to start this way.',
        'Set gateway.auth.trustedProxy.userHeader to the header your proxy writes the authenticated user into, e.g. "x-forwarded-user" or "x-auth-request-email".',
      ),
    );
  }
  if (tp.allowUsers.length === 0 && tp.allowGroups.length === 0) {
    out.push(
      finding(
        'gateway.trusted_proxy_any_user',
        'warn',
        'Any user the proxy authenticates is admitted',
        'gateway.auth.trustedProxy.allowUsers and allowGroups are empty: every user your proxy authenticates gets in. With a public identity provider that is anyone who has an account there, unless the proxy itself restricts who may log in.',
        'List the users allowed in, exactly as the proxy sends them: gateway.auth.trustedProxy.allowUsers: ["nick@example.com"], or their groups in allowGroups. Leave both empty only when the proxy already restricts users.',
      ),
    );
  }
  // A verified assertion is a required header the proxy must also have signed.
  if (tp.requiredHeaders.length === 0 && !tp.assertion) {
    out.push(
      finding(
        'gateway.trusted_proxy_no_required_headers',
        'info',
        'No required proxy headers',
        `gateway.auth.trustedProxy.requiredHeaders is empty: a request from a trustedProxies address is believed whenever it carries ${header}. Requiring a header the proxy always sets catches requests that come from that address by another route (another service on the proxy host, a proxy route that skips authentication).`,
        'Set gateway.auth.trustedProxy.requiredHeaders to a header your proxy sets on every request, WebSocket upgrades included, e.g. ["x-forwarded-proto"].',
      ),
    );
  }
  return out;
}

function describeBroad(c: Extract<EntryClass, { kind: 'broad' }>): string {
  const parts = [rangeSize(c.family, c.prefix)];
  if (c.covers.length) parts.push(`all of ${c.covers.join('; all of ')}`);
  if (c.includesLoopback) parts.push("this host's loopback addresses too");
  return `"${c.source}" (${parts.join('; ')})`;
}

/** Broad, all-address and loopback entries in `gateway.trustedProxies`. */
export function checkTrustedProxies(config: Config): Finding[] {
  const g = config.gateway;
  const proxyMode = g.auth.mode === 'trusted-proxy';
  const classes = g.trustedProxies.map(classifyEntry);
  const any = classes.filter((c) => c.kind === 'any').map((c) => c.source);
  const broad = classes.filter((c): c is Extract<EntryClass, { kind: 'broad' }> => c.kind === 'broad');
  const loopback = classes.filter((c) => c.kind === 'loopback').map((c) => c.source);
  const power = proxyMode
    ? `can send ${g.auth.trustedProxy.userHeader ?? 'the identity header'} and be admitted as any user`
    : 'can send X-Forwarded-For and choose the client address the failure limiter sees, so it is never locked out';
  const out: Finding[] = [];

  if (any.length) {
    out.push(
      finding(
        'gateway.trusted_proxies_any_address',
        proxyMode ? 'critical' : 'warn',
        'Every address is a trusted proxy',
        `gateway.trustedProxies contains ${quoteList(any)}, which matches every address: anyone who can reach the gateway ${power}.`,
        `Replace ${quoteList(any)} with the address your proxy connects from, e.g. "10.0.0.5", or the smallest range its instances use.`,
      ),
    );
  }
  if (broad.length) {
    out.push(
      finding(
        'gateway.trusted_proxies_broad',
        'warn',
        'Trusted proxy ranges are broad',
        `gateway.trustedProxies trusts more than one network segment: ${broad.map(describeBroad).join(', ')}. Any host in those ranges ${power}.`,
        'Narrow each entry to the proxy\'s own address (e.g. "10.0.0.5" or "fd00::5"), or to the smallest range its instances use: no wider than a /24 for IPv4 or a /64 for IPv6.',
      ),
    );
  }
  // Outside trusted-proxy mode a loopback entry is the normal setup for a proxy on the same host.
  // With a client certificate required, a local process also needs the proxy's key; with bind
  // "none" there is no TCP port to connect to.
  const cert = g.auth.trustedProxy.clientCert;
  if (proxyMode && loopback.length && !cert && g.bind !== 'none') {
    out.push(
      finding(
        'gateway.trusted_proxies_loopback',
        'warn',
        'Any local process can claim any identity',
        `gateway.trustedProxies contains ${quoteList(loopback)}: any local process can claim any identity. Every process on this host, run by any user, can connect to the gateway's TCP port from loopback and send ${g.auth.trustedProxy.userHeader ?? 'the identity header'} naming any user: an address proves where a connection comes from, not which program made it.`,
        'Let only the proxy in: listen on a Unix socket whose permissions admit only the proxy\'s group (gateway.listen.unixSocket: { path: "/run/mayros/gateway.sock", group: "<proxy group>" } with bind "none"), point the proxy at the socket (every tested recipe in examples/proxies/ has a Unix socket variant), and remove the loopback entry. ' +
          'For a proxy in a container or on another host, require its client certificate instead (gateway.tls with clientCa, trustedProxy.clientCert). See docs/trusted-proxy-auth.md.',
      ),
    );
  }
  return out;
}

/**
 * trustedProxies entries that match one of this host's own non-loopback addresses (a Docker
 * bridge, the LAN address): a process on this host can connect from that address. Trusted-proxy
 * mode only, like loopback entries; entries that match every address are reported as such instead.
 */
export function checkOwnAddresses(config: Config, interfaces: InterfaceTable | undefined): Finding[] {
  const g = config.gateway;
  if (g.auth.mode !== 'trusted-proxy' || !interfaces) return [];
  const entries = g.trustedProxies.filter((e) => classifyEntry(e).kind !== 'any');
  const matches = ownAddressesIn(entries, interfaces);
  if (!matches.length) return [];
  const what = matches
    .map((m) => (m.entry.includes('/') || m.entry.trim() !== m.address ? `"${m.entry}" contains ${m.address}, this host's address on ${m.interface}` : `"${m.entry}" is this host's address on ${m.interface}`))
    .join('; ');
  const listed = [...new Set(matches.map((m) => m.entry))];
  return [
    finding(
      'gateway.trusted_proxies_own_address',
      'warn',
      "A trusted proxy address belongs to this host",
      `gateway.trustedProxies trusts this host's own address: ${what}. Any process on this host, run by any user, can connect to the gateway from that address and send ${g.auth.trustedProxy.userHeader ?? 'the identity header'} naming any user, exactly as a loopback entry allows. ` +
        'A proxy in a container on this host connects from its own container address, not from the bridge\'s address; the bridge address is the host itself.',
      `Replace ${quoteList(listed)} with the address the proxy really connects from (a container's own fixed address, or another host's), and require its client certificate (gateway.tls with clientCa, trustedProxy.clientCert); ` +
        'when the proxy runs on this host outside a container, listen on a Unix socket only it can open (gateway.listen.unixSocket, bind "none") instead. Loopback entries are reported separately (gateway.trusted_proxies_loopback).',
    ),
  ];
}
