/**
 * Host names as the Host check compares them (src/auth/host.ts): the canonical form of a Host
 * header value or a `gateway.allowedHosts` entry, and which names are loopback. Pure.
 */
import { isLoopbackIp, parseIp } from './ip.js';

/** Characters that make a value something other than host[:port]. */
const NOT_A_HOST = /[/?#@*\s\\]/;

/**
 * The canonical host name of a Host header value: lowercase, IDN as punycode, IPv4 in dotted
 * form, IPv6 in brackets, one trailing dot removed; and its port ('' when none or the default).
 * The name is what DNS rebinding forges, so the check compares names only. Undefined when the
 * value is not host[:port].
 */
export function canonicalHost(value: string): { host: string; port: string } | undefined {
  const v = value.trim();
  if (v === '' || NOT_A_HOST.test(v)) return undefined;
  let url: URL;
  try {
    url = new URL(`http://${v}`);
  } catch {
    return undefined;
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') return undefined;
  let host = url.hostname;
  if (host.endsWith('.') && host.length > 1) host = host.slice(0, -1);
  return { host, port: url.port };
}

/** localhost, *.localhost, 127.0.0.0/8, [::1] (and IPv4-mapped loopback). `host` is canonical. */
export function isLoopbackName(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost') || isLoopbackIp(host);
}

/** An allowedHosts entry as a Host value: a bare IPv6 literal ("fd00::5") gets its brackets. */
function asHostValue(entry: string): string {
  const e = entry.trim();
  return !e.startsWith('[') && e.includes(':') && parseIp(e)?.family === 6 ? `[${e}]` : e;
}

/** The canonical name of an allowedHosts entry, or undefined when it is not one (see allowedHostProblem). */
export function allowedHostName(entry: string): string | undefined {
  return allowedHostProblem(entry) === undefined ? canonicalHost(asHostValue(entry))!.host : undefined;
}

/**
 * Why an allowedHosts entry is not a bare host name, or undefined when it is one. A port is
 * refused: the check compares names, and a port in the list would suggest otherwise.
 */
export function allowedHostProblem(entry: string): string | undefined {
  if (entry.includes('*')) return 'wildcards are not supported; list each name';
  const value = asHostValue(entry);
  const c = canonicalHost(value);
  if (!c) return 'is not a host name';
  // URL drops a default port (":80"), so look at the text too.
  if (c.port !== '' || /:\d*$/.test(value.replace(/^\[[^\]]*\]/, ''))) return 'has a port; the check compares host names only';
  return undefined;
}
