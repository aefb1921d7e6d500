/**
 * gateway.listen.unixSocket.group as a gid: a number as is, a name looked up the way the system
 * does (`getent group`, so LDAP and other NSS sources count; /etc/group when getent is missing).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../config/errors.js';

const FIELD = 'gateway.listen.unixSocket.group';

/** The gid in a group(5) line for `name`, or undefined. */
export function gidFromGroupFile(text: string, name: string): number | undefined {
  for (const line of text.split('\n')) {
    const [n, , gid] = line.split(':');
    if (n === name && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  }
  return undefined;
}

function lookup(name: string): number | undefined {
  try {
    return gidFromGroupFile(execFileSync('getent', ['group', name], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] }), name);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { status?: number };
    // getent exits 2 for a name it does not know.
    if (e.status === 2) return undefined;
    if (e.code !== 'ENOENT') throw new ConfigError([{ path: FIELD, message: `could not look up group "${name}" (${e.code ?? `getent exited ${e.status}`})`, fix: 'give its numeric gid instead' }]);
  }
  try {
    return gidFromGroupFile(readFileSync('/etc/group', 'utf8'), name);
  } catch {
    return undefined;
  }
}

/** The gid for the configured group; throws ConfigError naming the field when there is no such group. */
export function resolveGroup(group: string | number): number {
  if (typeof group === 'number') return group;
  if (/^\d+$/.test(group)) return Number(group);
  const gid = lookup(group);
  if (gid === undefined) {
    throw new ConfigError([{ path: FIELD, message: `there is no group "${group}" on this host`, fix: 'name the group your proxy runs as (www-data for nginx and Apache on Debian, caddy for Caddy, nginx or apache on RHEL) or give its numeric gid' }]);
  }
  return gid;
}
