/**
 * What the file system says about gateway.listen.unixSocket's path, for the audit: the socket
 * file's permissions (when it exists: the gateway is running, or a stale one is left) and those of
 * the directories above it. Gathered on the gateway's host; the checks themselves are pure
 * (listen-checks.ts).
 */
import { lstatSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

export interface PathFacts {
  path: string;
  /** Permission bits (mode & 0o7777). */
  mode: number;
  isSocket: boolean;
  isDirectory: boolean;
}

export interface SocketFacts {
  /** The socket's path, as configured. */
  path: string;
  /** The file at the path, when there is one. */
  file: PathFacts | undefined;
  /** Its directory, then each one above it up to the root (those that exist). */
  dirs: PathFacts[];
}

function facts(path: string, stat: typeof lstatSync): PathFacts | undefined {
  try {
    const st = stat(path);
    return { path, mode: st.mode & 0o7777, isSocket: st.isSocket(), isDirectory: st.isDirectory() };
  } catch {
    return undefined;
  }
}

/** The facts for a socket path (undefined when it is not absolute: startup validation reports that). */
export function socketFacts(path: string): SocketFacts | undefined {
  if (!path.startsWith('/')) return undefined;
  const dirs: PathFacts[] = [];
  for (let d = dirname(path); ; d = dirname(d)) {
    const f = facts(d, statSync);
    if (f) dirs.push(f);
    if (d === '/') break;
  }
  return { path, file: facts(path, lstatSync), dirs };
}
