/**
 * What to do with the path of gateway.listen.unixSocket before listening there: a pure decision
 * over what is found at the path and what a connection attempt to it answered. A socket file left
 * by a gateway that crashed is replaced; a live socket (another gateway, another program) and
 * anything that is not a socket are never touched.
 */

/** What lstat found at the path. */
export type PathFound = 'nothing' | 'socket' | 'other' | 'no-directory';

/** What connecting to an existing socket file answered. */
export type ProbeAnswer =
  /** Connected: something listens there. */
  | 'answered'
  /** ECONNREFUSED: a socket file nothing listens on (left by a process that ended without removing it). */
  | 'refused'
  /** ENOENT: it went away meanwhile. */
  | 'gone'
  /** Anything else (EACCES, a timeout): whether it is in use cannot be told. */
  | { error: string };

export type PathAction = { action: 'create' } | { action: 'replace' } | { action: 'refuse'; message: string; fix: string };

/** The decision; `probe` is needed only when a socket was found. */
export function decideSocketPath(path: string, found: PathFound, probe?: ProbeAnswer): PathAction {
  switch (found) {
    case 'nothing':
      return { action: 'create' };
    case 'no-directory':
      return {
        action: 'refuse',
        message: `the directory of ${path} does not exist`,
        fix: 'create it, owned by the gateway\'s user and not writable by others (e.g. `install -d -m 0750 -o mayros -g www-data /run/mayros`, or systemd RuntimeDirectory=mayros), or choose another path',
      };
    case 'other':
      return { action: 'refuse', message: `${path} exists and is not a socket`, fix: 'move that file away (the gateway never deletes it), or choose another path' };
    case 'socket':
      if (probe === 'refused' || probe === 'gone') return probe === 'gone' ? { action: 'create' } : { action: 'replace' };
      if (probe === 'answered') {
        return { action: 'refuse', message: `another process is listening on ${path} (another gateway?)`, fix: 'stop that process first, or give this gateway another path' };
      }
      return {
        action: 'refuse',
        message: `${path} is a socket, and whether another process uses it cannot be told (${probe === undefined ? 'not probed' : probe.error})`,
        fix: 'if no process uses it, delete it (rm) and start again; otherwise choose another path',
      };
  }
}
