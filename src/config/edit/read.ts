/**
 * `config.get` for the console: the config file as written (not with defaults filled in: a merge
 * patch applies to the file), with every inline secret replaced by the placeholder, and the hash
 * a patch must name.
 */
import { ConfigError, type ConfigIssue } from '../errors.js';
import type { FileFormat } from './format.js';
import { maskText } from './masked-text.js';
import { maskSecrets } from './placeholder.js';
import { realTarget, takeSnapshot } from './snapshot.js';

export interface ConfigForEdit {
  /** The config file's path, as given. */
  path: string;
  /** False when there is no file (the gateway runs on defaults); a patch then creates it. */
  exists: boolean;
  /** SHA-256 (hex) of the file's exact bytes: send it back as `baseHash`. */
  hash: string;
  /** `jsonc`: edited in place. `json5`: uses JSON5-only syntax; an edit rewrites it as JSON and keeps `<file>.bak`. */
  format: FileFormat;
  /** The parsed file, secrets replaced by SECRET_PLACEHOLDER. */
  config: Record<string, unknown>;
  /** The file's text, secrets replaced by SECRET_PLACEHOLDER. */
  text: string;
  /** False when `text` had to be rendered from `config` (the file's comments and layout are then not shown). */
  textExact: boolean;
}

export type ReadOutcome = { ok: true; value: ConfigForEdit } | { ok: false; code: 'config_invalid'; issues: ConfigIssue[] };

/** Reads the config file for editing. A file that cannot be read or parsed is `config_invalid` with the field and fix. */
export async function readConfigForEdit(file: string): Promise<ReadOutcome> {
  let snap;
  try {
    snap = await takeSnapshot(file, await realTarget(file));
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, code: 'config_invalid', issues: [...err.issues] };
    throw err;
  }
  const masked = maskText(snap.text, snap.raw, snap.format, file);
  return {
    ok: true,
    value: { path: file, exists: snap.exists, hash: snap.hash, format: snap.format, config: maskSecrets(snap.raw), text: masked.text, textExact: masked.exact },
  };
}
