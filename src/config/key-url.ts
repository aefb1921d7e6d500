/**
 * Where signing keys may be fetched from: https, or plain http to a loopback host only.
 */
import { isLoopbackIp } from '../net/ip.js';

/** True when a URL names a loopback host (127.0.0.0/8, ::1, localhost): plain http is tolerated only there. */
export function isLoopbackUrl(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || isLoopbackIp(host);
}

/** Why a key URL is refused, or undefined when it is acceptable. */
export function keyUrlProblem(text: string): string | undefined {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return `"${text}" is not a URL`;
  }
  if (u.username || u.password) return 'must not carry a user name or password';
  if (u.protocol === 'https:') return undefined;
  if (u.protocol === 'http:') return isLoopbackUrl(u) ? undefined : 'uses plain http to a non-loopback host: anyone on the path could swap the keys';
  return `uses "${u.protocol}"; only https (or http to a loopback address) is accepted`;
}
