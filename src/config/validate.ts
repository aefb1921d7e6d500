/**
 * Startup validation: combinations the schema alone cannot reject. The gateway refuses to start
 * on any of these; `mayros security audit` reads the same config without refusing.
 */
import { dirname } from 'node:path';
import type { Config } from './schema.js';
import type { ConfigIssue } from './errors.js';
import { CidrSet, parseCidr } from '../net/cidr.js';
import { isLoopbackIp, parseIp } from '../net/ip.js';
import { resolveAssertion, trustedProxyExtrasIssues, type ResolvedAssertion, type ResolveResult } from './assertion.js';
import { authorizationIssues } from './authorization-checks.js';
import { coveredFamilies } from '../net/coverage.js';
import { allowedHostName, allowedHostProblem } from '../net/host-name.js';
import { deepFreeze } from './tree.js';

/**
 * What later stages read from a config, worked out once when it is loaded: the startup verdict
 * and the settings that need resolving. A policy or a Host check built from these cannot fail.
 */
export interface ConfigChecks {
  /** Why the gateway would refuse to start with this config; empty when it may start. */
  readonly issues: readonly ConfigIssue[];
  /** The gateway.trustedProxies entries that are addresses or ranges (the others are in `issues`). */
  readonly trustedProxies: readonly string[];
  /**
   * gateway.auth.trustedProxy.assertion with its preset applied and checked; undefined when it is
   * not set, or when it does not resolve (then `issues` says why).
   */
  readonly assertion: ResolvedAssertion | undefined;
  /** The canonical names of the gateway.allowedHosts entries that are host names. */
  readonly allowedHosts: readonly string[];
}

/** A config with its checks: what a policy, a Host check or a generation is built from. */
export interface ValidatedConfig {
  readonly config: Config;
  readonly checks: ConfigChecks;
}

/** Runs every startup check and resolves what later stages read (see ConfigChecks), once. */
export function checkConfig(config: Config): ConfigChecks {
  const g = config.gateway;
  const tp = g.auth.trustedProxy;
  const assertion = tp.assertion && resolveAssertion(tp.assertion);
  return deepFreeze({
    issues: startupIssues(config, assertion),
    trustedProxies: g.trustedProxies.filter((e) => parseCidr(e).ok),
    assertion: assertion?.ok ? assertion.value : undefined,
    allowedHosts: [...new Set(g.allowedHosts.map(allowedHostName).filter((n): n is string => n !== undefined))],
  });
}

/** `config` with its checks (configs that are not loaded from a file: tests, benchmarks). */
export function validated(config: Config): ValidatedConfig {
  return { config, checks: checkConfig(config) };
}

/** True when a trustedProxies entry can match a loopback peer (127.0.0.0/8 or ::1). */
export function entryCoversLoopback(entry: string): boolean {
  const r = parseCidr(entry);
  if (!r.ok) return false;
  const set = new CidrSet([entry]);
  if (r.entry.family === 6) return set.has('::1');
  // A range inside 127.0.0.0/8, or one wide enough to contain it.
  return r.entry.prefix > 8 ? r.entry.network.startsWith('127.') : set.has('127.0.0.1');
}

/**
 * Whether only this host can connect: a loopback bind, a custom bind on a loopback address, or
 * bind "none" (no TCP listener; only the Unix socket, gateway.listen.unixSocket).
 */
export function isLoopbackBind(config: Config): boolean {
  const g = config.gateway;
  if (g.bind === 'loopback' || g.bind === 'none') return true;
  if (g.bind === 'custom' && g.customBindHost) return isLoopbackIp(g.customBindHost);
  return false;
}

/**
 * trustedProxies entries that, alone or together, cover every address of a family: in
 * trusted-proxy mode any peer could then name any user, so the gateway refuses to start (and a
 * reload refuses the file), as with mode "none" on a LAN bind.
 */
function trustEveryoneIssues(list: readonly string[]): ConfigIssue[] {
  return coveredFamilies(list).map(({ family, indexes }) => {
    const what = family === 4 ? 'every IPv4 address (IPv4-mapped IPv6 peers included)' : 'every IPv6 address';
    const named = indexes.map((i) => `gateway.trustedProxies[${i}] "${list[i]}"`);
    return {
      path: indexes.length === 1 ? `gateway.trustedProxies[${indexes[0]}]` : 'gateway.trustedProxies',
      message: `${indexes.length === 1 ? `"${list[indexes[0]!]}" matches` : `${named.join(' and ')} together match`} ${what}: in trusted-proxy mode any client could connect and name any user`,
      fix: `remove ${indexes.length === 1 ? 'it' : 'them'} and list only the address your proxy connects from, e.g. "127.0.0.1" for a proxy on this host or "10.0.0.5" for one on another host`,
    };
  });
}

/** Why the gateway would refuse to start with `config` (empty: it may start). */
export function validateForStartup(config: Config): ConfigIssue[] {
  return [...checkConfig(config).issues];
}

/** Longest Unix socket path the kernel takes (sun_path holds 108 bytes with the final NUL). */
const SUN_PATH_MAX = 107;
/**
 * The gateway binds the socket first in a private directory beside its path (".mayros-XXXXXX/s",
 * src/gateway/listen/unix-socket.ts), which must fit too.
 */
const TEMP_SUFFIX = '/.mayros-XXXXXX/s'.length;

/** An absolute path, or why not (`what` names the file for the message). */
function absolutePathIssue(path: string, field: string, example: string): ConfigIssue | undefined {
  if (path.startsWith('/')) return undefined;
  return { path: field, message: `"${path}" is not an absolute path`, fix: `write the full path, e.g. "${example}"` };
}

/** The listeners: the Unix socket, bind "none", TLS, and the client certificate check. */
function listenerIssues(config: Config): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const g = config.gateway;
  const sock = g.listen.unixSocket;
  if (sock) {
    const bad = absolutePathIssue(sock.path, 'gateway.listen.unixSocket.path', '/run/mayros/gateway.sock');
    if (bad) issues.push(bad);
    else if (Buffer.byteLength(sock.path) > SUN_PATH_MAX || Buffer.byteLength(dirname(sock.path)) + TEMP_SUFFIX > SUN_PATH_MAX) {
      issues.push({
        path: 'gateway.listen.unixSocket.path',
        message: `is ${Buffer.byteLength(sock.path)} bytes long; a Unix socket path can be at most ${SUN_PATH_MAX}, and its directory at most ${SUN_PATH_MAX - TEMP_SUFFIX} (the gateway binds it first in a private directory there)`,
        fix: 'choose a shorter path, e.g. "/run/mayros/gateway.sock"',
      });
    }
  }
  if (g.bind === 'none' && !sock) {
    issues.push({
      path: 'gateway.bind',
      message: '"none" means no TCP listener, and gateway.listen.unixSocket is not set: the gateway would listen nowhere',
      fix: 'set gateway.listen.unixSocket.path (e.g. "/run/mayros/gateway.sock"), or choose bind "loopback", "lan" or "custom"',
    });
  }
  const tls = g.tls;
  if (tls) {
    for (const [key, example] of [['cert', '/etc/mayros/tls/gateway.crt'], ['key', '/etc/mayros/tls/gateway.key'], ['clientCa', '/etc/mayros/tls/proxy-ca.crt']] as const) {
      const v = tls[key];
      const bad = v === undefined ? undefined : absolutePathIssue(v, `gateway.tls.${key}`, example);
      if (bad) issues.push(bad);
    }
    if (g.bind === 'none') {
      issues.push({ path: 'gateway.tls', message: 'TLS is served on the TCP listeners, and bind "none" has none (the Unix socket speaks plain HTTP: its file permissions are the protection)', fix: 'remove gateway.tls, or choose bind "loopback", "lan" or "custom" for an HTTPS listener' });
    }
  }
  const clientCert = g.auth.trustedProxy.clientCert;
  if (clientCert && !tls?.clientCa) {
    issues.push({
      path: 'gateway.auth.trustedProxy.clientCert',
      message: 'checking the proxy\'s client certificate needs TLS with a CA to verify it: gateway.tls.clientCa is not set',
      fix: 'set gateway.tls (cert, key) and gateway.tls.clientCa to the CA that issued the proxy\'s client certificate, or remove clientCert',
    });
  }
  if (tls?.clientCa && !clientCert) {
    issues.push({
      path: 'gateway.tls.clientCa',
      message: 'is set, but no client certificate would be checked: gateway.auth.trustedProxy.clientCert is not set',
      fix: 'set gateway.auth.trustedProxy.clientCert.allowedNames to the name in your proxy\'s certificate (its CN, or a DNS or URI subjectAltName), or remove clientCa',
    });
  }
  return issues;
}

function startupIssues(config: Config, assertion: ResolveResult | undefined): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const g = config.gateway;
  const a = g.auth;

  g.trustedProxies.forEach((entry, i) => {
    const r = parseCidr(entry);
    if (!r.ok) {
      issues.push({
        path: `gateway.trustedProxies[${i}]`,
        message: `${r.error}`,
        fix: 'use an IP address ("10.0.0.1", "::1") or a CIDR range ("10.0.0.0/24"); host names are not accepted',
      });
    }
  });

  if (g.bind === 'custom') {
    if (!g.customBindHost) {
      issues.push({ path: 'gateway.customBindHost', message: 'required when gateway.bind is "custom"', fix: 'set it to the IPv4 or IPv6 address to listen on, or use bind "loopback" or "lan"' });
    } else if (!parseIp(g.customBindHost)) {
      issues.push({ path: 'gateway.customBindHost', message: `"${g.customBindHost}" is not an IP address`, fix: 'use an IPv4 or IPv6 literal such as "10.0.0.5" or "fd00::5"' });
    }
  }

  issues.push(...listenerIssues(config));

  if (a.mode === 'trusted-proxy') {
    // The proxy is proven by one of: its address, the Unix socket it connects to, its client certificate.
    const otherProof = g.listen.unixSocket !== undefined || a.trustedProxy.clientCert !== undefined;
    if (g.trustedProxies.length === 0 && !otherProof) {
      issues.push({
        path: 'gateway.trustedProxies',
        message: 'trusted-proxy mode needs a way to know the proxy: a proxy address, a Unix socket (gateway.listen.unixSocket) or a client certificate (gateway.auth.trustedProxy.clientCert); with none, every request would be refused',
        fix: 'for a proxy on this host, listen on a Unix socket only the proxy can open (gateway.listen.unixSocket, bind "none"); otherwise add the address your proxy connects from, e.g. trustedProxies: ["10.0.0.7"]',
      });
    } else if (g.bind === 'loopback' && g.trustedProxies.length > 0 && !g.trustedProxies.some(entryCoversLoopback)) {
      issues.push({
        path: 'gateway.trustedProxies',
        message: 'gateway.bind is "loopback", so only local processes can connect, but no trustedProxies entry is a loopback address: the proxy could never reach the gateway',
        fix: 'add "127.0.0.1" (or "::1") for a proxy on this host, or set gateway.bind to "lan"/"custom" for a proxy on another host',
      });
    }
    issues.push(...trustEveryoneIssues(g.trustedProxies));
    if (!a.trustedProxy.userHeader) {
      issues.push({
        path: 'gateway.auth.trustedProxy.userHeader',
        message: 'required in trusted-proxy mode',
        fix: 'set it to the header your proxy puts the authenticated user in, e.g. "x-forwarded-user" or "x-auth-request-email"',
      });
    }
  }

  // Signed assertions and groups (issue 6): checked whenever set, so a mode switch finds them sound.
  issues.push(...trustedProxyExtrasIssues(a.trustedProxy, assertion));
  // A group rule needs a groups source, whatever the mode, as allowGroups does.
  issues.push(...authorizationIssues(g.authorization, a.trustedProxy));

  if (a.mode === 'password' && !a.password) {
    issues.push({ path: 'gateway.auth.password', message: 'password mode needs a password', fix: 'set MAYROS_GATEWAY_PASSWORD in the environment (preferred) or gateway.auth.password' });
  }

  if (a.mode === 'none' && !isLoopbackBind(config)) {
    issues.push({
      path: 'gateway.auth.mode',
      message: `mode "none" with a non-loopback bind would expose an unauthenticated gateway`,
      fix: 'use mode "token", "password" or "trusted-proxy", or set gateway.bind to "loopback"',
    });
  }

  g.allowedHosts.forEach((h, i) => {
    const problem = allowedHostProblem(h);
    if (problem) {
      issues.push({ path: `gateway.allowedHosts[${i}]`, message: `"${h}" ${problem}`, fix: 'write a host name or IP address as the browser has it in the address bar, without scheme, port or path, e.g. "mayros.example.com"' });
    }
  });

  g.controlUi.allowedOrigins.forEach((o, i) => {
    if (o === '*') return;
    let ok = false;
    try {
      const u = new URL(o);
      ok = (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === o.replace(/\/$/, '');
    } catch {
      ok = false;
    }
    if (!ok) {
      issues.push({ path: `gateway.controlUi.allowedOrigins[${i}]`, message: `"${o}" is not an origin`, fix: 'write scheme://host[:port] with no path, e.g. "https://mayros.example.com"' });
    }
  });

  return issues;
}
