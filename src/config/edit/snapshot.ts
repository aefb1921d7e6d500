/**
 * The config file as it is on disk right now: its exact bytes, their hash, what they parse to,
 * which way it can be edited, and the mode and owner a replacement must keep.
 */
import { createHash } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { parseConfigText } from '../load.js';
import type { FileIdentity } from './atomic-write.js';
import { detectFormat, type FileFormat } from './format.js';
import { isPlainObject } from './paths.js';

export interface FileSnapshot {
  /** The path as the gateway names it (for messages). */
  file: string;
  /** Where the bytes really are: a symlink is followed, so an edit replaces its target, not the link. */
  target: string;
  exists: boolean;
  /** The exact bytes; empty when the file does not exist. */
  bytes: Buffer;
  /** The bytes as UTF-8 text; '' when the file does not exist. */
  text: string;
  hash: string;
  /** The parsed file; {} when it does not exist. */
  raw: Record<string, unknown>;
  format: FileFormat;
  /** Mode and owner; undefined when the file does not exist. */
  identity: FileIdentity | undefined;
}

/**
 * SHA-256 of the exact bytes, hex: the version a patch names as its `baseHash`. The same digest
 * the config watcher compares (src/reload/watch.ts); a missing file hashes as empty.
 */
export function hashBytes(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The real path of `file` (symlinks followed), or `file` resolved when it does not exist. */
export async function realTarget(file: string): Promise<string> {
  try {
    return await realpath(file);
  } catch {
    return resolve(file);
  }
}

/** The hash of the file's bytes right now (a missing file hashes as empty), or undefined when it cannot be read. */
export async function currentHash(target: string): Promise<string | undefined> {
  try {
    return hashBytes(await readFile(target));
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? hashBytes('') : undefined;
  }
}

function unreadable(file: string, err: unknown): ConfigError {
  const code = (err as NodeJS.ErrnoException).code ?? 'error';
  return new ConfigError([{ path: '', message: `cannot read the file (${code})`, fix: 'check the path and its permissions' }], file);
}

/** Reads the file now. Throws ConfigError (field + fix) when it cannot be read or parsed. */
export async function takeSnapshot(file: string, target: string): Promise<FileSnapshot> {
  let bytes: Buffer;
  try {
    bytes = await readFile(target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return { file, target, exists: false, bytes: Buffer.alloc(0), text: '', hash: hashBytes(''), raw: {}, format: 'jsonc', identity: undefined };
    }
    throw unreadable(file, err);
  }
  let identity: FileIdentity;
  try {
    const st = await stat(target);
    identity = { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
  } catch (err) {
    throw unreadable(file, err);
  }
  const text = bytes.toString('utf8');
  const raw = parseConfigText(text, file);
  if (!isPlainObject(raw)) {
    throw new ConfigError([{ path: '', message: 'the file must hold an object, e.g. { gateway: { ... } }', fix: 'wrap the settings in { gateway: { ... } }' }], file);
  }
  return { file, target, exists: true, bytes, text, hash: hashBytes(bytes), raw, format: detectFormat(text, raw), identity };
}
