/**
 * Listening on gateway.listen.unixSocket. The socket is made in a private directory (mode 0700)
 * beside its path, given its group and mode there, and only then renamed into place: no process of
 * another user can connect before the configured permissions are in force, whatever the umask, and
 * without changing the process umask. A socket file left by a gateway that crashed is replaced by
 * that rename (after checking nothing answers on it); a live socket, or a path that is not a
 * socket, is refused (stale-socket.ts). On close the file is removed, if it is still ours.
 */
import { chmodSync, chownSync, lstatSync, mkdtempSync, renameSync, rmSync, statSync, unlinkSync } from 'node:fs';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { ConfigError } from '../../config/errors.js';
import type { UnixSocketConfig } from '../../config/schema.js';
import { decideSocketPath, type PathFound, type ProbeAnswer } from './stale-socket.js';
import { resolveGroup } from './group.js';

const FIELD = 'gateway.listen.unixSocket';
/** How long a connection attempt to an existing socket may take before it counts as "cannot tell". */
const PROBE_MS = 2000;

/** What is at the socket path now. */
function inspect(path: string): PathFound {
  try {
    return lstatSync(path).isSocket() ? 'socket' : 'other';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') return 'no-directory';
    if (code !== 'ENOENT') throw new ConfigError([{ path: `${FIELD}.path`, message: `cannot inspect ${path} (${code})`, fix: 'check the path and the permissions of its directories' }]);
  }
  try {
    return statSync(dirname(path)).isDirectory() ? 'nothing' : 'no-directory';
  } catch {
    return 'no-directory';
  }
}

/** Connects to the socket at `path` once and reports what answered. */
export function probeSocket(path: string, timeoutMs = PROBE_MS): Promise<ProbeAnswer> {
  return new Promise((resolve) => {
    const s = connect({ path });
    const done = (a: ProbeAnswer) => {
      clearTimeout(timer);
      s.destroy();
      resolve(a);
    };
    const timer = setTimeout(() => done({ error: `no answer within ${timeoutMs} ms` }), timeoutMs);
    s.once('connect', () => done('answered'));
    s.once('error', (err: NodeJS.ErrnoException) => done(err.code === 'ECONNREFUSED' ? 'refused' : err.code === 'ENOENT' ? 'gone' : { error: err.code ?? err.message }));
  });
}

function listenOn(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen({ path }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** A socket the gateway listens on: removed on close if the file at its path is still this one. */
export interface UnixSocket {
  readonly path: string;
  /** Whether a stale socket file (a crashed run's) was replaced. */
  readonly replacedStale: boolean;
  /** Removes the socket file, unless another process has put its own at the path since. */
  remove(): void;
}

/** Listens on the configured socket; throws ConfigError (naming the field and the fix) when it cannot. */
export async function listenUnixSocket(server: Server, sock: UnixSocketConfig): Promise<UnixSocket> {
  const { path } = sock;
  const gid = sock.group === undefined ? undefined : resolveGroup(sock.group);
  const found = inspect(path);
  const decision = decideSocketPath(path, found, found === 'socket' ? await probeSocket(path) : undefined);
  if (decision.action === 'refuse') throw new ConfigError([{ path: `${FIELD}.path`, message: decision.message, fix: decision.fix }]);

  let dir: string;
  try {
    dir = mkdtempSync(join(dirname(path), '.mayros-'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError([{ path: `${FIELD}.path`, message: `cannot create files in ${dirname(path)} (${code})`, fix: 'let the gateway\'s user write to that directory (it should own it), or choose another path' }]);
  }
  const temp = join(dir, 's');
  try {
    await listenOn(server, temp);
    if (gid !== undefined) {
      try {
        chownSync(temp, -1, gid);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new ConfigError([{ path: `${FIELD}.group`, message: `cannot give the socket group ${sock.group} (${code})`, fix: `add the gateway's user to group ${sock.group} (usermod -aG ${sock.group} <user>) and restart it, or leave group unset and put the proxy's user in the gateway's group` }]);
      }
    }
    chmodSync(temp, Number.parseInt(sock.mode, 8));
    renameSync(temp, path);
  } catch (err) {
    await new Promise<void>((r) => (server.listening ? server.close(() => r()) : r()));
    rmSync(dir, { recursive: true, force: true });
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError([{ path: `${FIELD}.path`, message: `cannot listen on ${path} (${code ?? (err as Error).message})`, fix: 'check the directory\'s permissions and that the path is on a local file system' }]);
  }
  rmSync(dir, { recursive: true, force: true });
  const ino = lstatSync(path).ino;
  return {
    path,
    replacedStale: decision.action === 'replace',
    remove() {
      try {
        const st = lstatSync(path);
        if (st.isSocket() && st.ino === ino) unlinkSync(path);
      } catch {
        /* already gone */
      }
    },
  };
}
