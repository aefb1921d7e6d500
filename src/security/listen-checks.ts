/**
 * Checks of how the proxy reaches the gateway: a TCP loopback entry any local process can use, and
 * the Unix socket's permissions (the file's mode, as configured and as found, and the directories
 * above it). The socket's file permissions are the proof that a request on it is the proxy's, so
 * a socket others can open, or a directory others can write (and so replace the socket in), undoes
 * that proof.
 */
import type { Config } from '../config/schema.js';
import { finding, type Finding } from './findings.js';
import type { SocketFacts } from './socket-facts.js';

const OTHERS_WRITE = 0o002;
const STICKY = 0o1000;
const octal = (mode: number) => `0${(mode & 0o777).toString(8).padStart(3, '0')}`;

/** What someone who can open the socket can do, by mode. */
function power(config: Config): { severity: 'critical' | 'warn'; what: string } {
  const mode = config.gateway.auth.mode;
  if (mode === 'trusted-proxy') return { severity: 'critical', what: `send ${config.gateway.auth.trustedProxy.userHeader ?? 'the identity header'} and be admitted as any user, since a request on the socket is the proxy's by construction` };
  if (mode === 'none') return { severity: 'critical', what: 'use the gateway, which asks for no credential' };
  return { severity: 'warn', what: 'send X-Forwarded-For and choose the client address the failure limiter counts, so it is never locked out' };
}

/** A socket file mode, as configured and as found on disk, that lets others (not owner or group) connect. */
export function checkSocketMode(config: Config, facts: SocketFacts | undefined): Finding[] {
  const sock = config.gateway.listen.unixSocket;
  if (!sock) return [];
  const configured = Number.parseInt(sock.mode, 8);
  const found = facts?.file?.isSocket ? facts.file.mode : undefined;
  const open: string[] = [];
  if (configured & OTHERS_WRITE) open.push(`gateway.listen.unixSocket.mode is "${sock.mode}"`);
  if (found !== undefined && found & OTHERS_WRITE) open.push(`the socket file ${sock.path} has mode ${octal(found)}${found !== configured ? ' (not the configured one: something changed it)' : ''}`);
  if (!open.length) return [];
  const { severity, what } = power(config);
  return [
    finding(
      'gateway.unix_socket_mode',
      severity,
      'Any local user can connect to the gateway\'s Unix socket',
      `${open.join('; ')}: write permission for others, which is what connecting to a socket takes. Any process of any user on this host can connect and ${what}.`,
      'Set gateway.listen.unixSocket.mode to "0660" (the default) and group to the group your proxy runs as (www-data for nginx and Apache on Debian, caddy for Caddy), then restart the gateway; only the gateway\'s user and that group can connect.',
    ),
  ];
}

/**
 * A directory holding the socket, or above it, that others may write to: they could delete or
 * rename the socket and put their own in its place (or take the name while the gateway is down), so
 * the proxy would send its users' requests to them. A directory with the sticky bit (/tmp) protects
 * the gateway's own entries, not the socket's name in its own directory.
 */
export function checkSocketDirectory(config: Config, facts: SocketFacts | undefined): Finding[] {
  if (!config.gateway.listen.unixSocket || !facts) return [];
  const [parent, ...above] = facts.dirs;
  const open = [
    ...(parent && parent.mode & OTHERS_WRITE ? [`${parent.path} (${octal(parent.mode)}${parent.mode & STICKY ? ', sticky' : ''}), the socket's own directory`] : []),
    ...above.filter((d) => d.mode & OTHERS_WRITE && !(d.mode & STICKY)).map((d) => `${d.path} (${octal(d.mode)})`),
  ];
  if (!open.length) return [];
  return [
    finding(
      'gateway.unix_socket_dir_writable',
      'critical',
      'Others can replace the gateway\'s Unix socket',
      `Other users can write to ${open.join(' and ')}: they can remove or rename ${facts.path} and put a socket of their own there (or take the name while the gateway is stopped). The proxy would then send every request, with its users' identities and cookies, to them.`,
      `Put the socket in a directory of its own, owned by the gateway's user and writable only by it, e.g. \`install -d -m 0750 -o <gateway user> -g <proxy group> /run/mayros\` (systemd: RuntimeDirectory=mayros, RuntimeDirectoryMode=0750), and set gateway.listen.unixSocket.path to /run/mayros/gateway.sock.`,
    ),
  ];
}
