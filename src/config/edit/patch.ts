/**
 * `config.patch` for the console: an RFC 7396 merge patch applied to the config file's current
 * contents, checked exactly as a start or a reload would check the file, and written atomically
 * with the file's comments and layout kept wherever its syntax allows.
 *
 * Refusals are data ({@link ConfigEditRefusal}); whatever the refusal, the file is left byte for
 * byte as it was. Edits of one file are serialised in this process, and the file's hash is checked
 * under that lock (and once more just before the rename, against other processes), so two admins
 * patching from the same version get one success and one `config_conflict`.
 */
import { isDeepStrictEqual } from 'node:util';
import jsonMergePatch from 'json-merge-patch';
import JSON5 from 'json5';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { checkForStartup, parseConfigText, resolveConfig, type LoadOptions, type ResolvedConfig } from '../load.js';
import { WriteFailure, writeFileAtomic } from './atomic-write.js';
import { changesBetween, type ConfigChange } from './changes.js';
import { formattingOf, renderJson } from './format.js';
import { mergePatchText } from './jsonc-edit.js';
import { withFileLock } from './lock.js';
import { maskText, type MaskedText } from './masked-text.js';
import { settlePlaceholders } from './placeholder.js';
import type { ConfigEditRefusal } from './refusals.js';
import { currentHash, hashBytes, realTarget, takeSnapshot, type FileSnapshot } from './snapshot.js';

export interface PatchRequest {
  /** The hash from the read this patch was made against. */
  baseHash: string;
  /** RFC 7396 merge patch of the file's contents; SECRET_PLACEHOLDER at a secret's key keeps the stored secret. */
  patch: unknown;
  /** Apply even when the lockout check says the change would refuse its sender. */
  confirm?: boolean;
}

export interface PatchOptions {
  /** Environment and flags the gateway runs with: the candidate is checked with them, as a load would. */
  load?: Pick<LoadOptions, 'env' | 'flags'>;
  /**
   * Why the new config would refuse the admin sending the patch (not allowed in any more, or no
   * longer an admin), or undefined when it would not. Computed by the gateway, which knows who is
   * asking.
   */
  lockout?: (next: ResolvedConfig) => string | undefined | Promise<string | undefined>;
  /** Further checks the running gateway adds (e.g. keys that wait for a restart); issues refuse as `config_invalid`. */
  check?: (next: ResolvedConfig) => ConfigIssue[];
  /** Check and prepare everything, write nothing: the outcome the same patch would have, with a preview of the new text. */
  dryRun?: boolean;
}

/** How the file is (or would be) written. */
export type WriteFormat = 'jsonc' | 'json5-rewrite';

/** A patch that went through. Every field is safe to show to the console: no secret is included. */
export interface PatchApplied {
  ok: true;
  /** False for a dry run, and for a patch that changes nothing (the file is then not touched). */
  written: boolean;
  /** The hash the file had when the patch was checked. */
  previousHash: string;
  /** The file's hash now (for a dry run: the hash it would have). */
  hash: string;
  /** `jsonc`: only the changed values were rewritten. `json5-rewrite`: the whole file was rewritten as JSON, the old one kept as `backup`. */
  format: WriteFormat;
  /** `<file>.bak`, holding the previous file, for `json5-rewrite`. */
  backup?: string;
  /** Dotted paths of the values that changed (secrets by name only). */
  changedPaths: string[];
  /** Each changed value before and after, secrets shown as SECRET_PLACEHOLDER. */
  changes: ConfigChange[];
  /** Dry run: the new file's text, secrets masked. */
  preview?: MaskedText;
  /** Set when the change refuses its sender and was sent with `confirm`: the lockout check's sentence. */
  lockout?: string;
}

export type PatchOutcome = PatchApplied | { ok: false; refusal: ConfigEditRefusal };

/** The hash changed between the check and the rename: someone else wrote the file. */
class ChangedUnderneath extends Error {
  constructor(readonly currentHash: string) {
    super('config file changed during the edit');
  }
}

const refuse = (refusal: ConfigEditRefusal): PatchOutcome => ({ ok: false, refusal });

/** Applies a merge patch to the config file; see the module comment. */
export async function patchConfigFile(file: string, request: PatchRequest, options: PatchOptions = {}): Promise<PatchOutcome> {
  const target = await realTarget(file);
  return withFileLock(target, () => patchLocked(file, target, request, options));
}

function parsesTo(text: string, value: unknown, file: string): boolean {
  try {
    return isDeepStrictEqual(parseConfigText(text, file), value);
  } catch {
    return false;
  }
}

/** The new file's text, and how it was produced. */
function render(snap: FileSnapshot, patch: Record<string, unknown>, after: Record<string, unknown>): { format: WriteFormat; text: string } {
  const fmt = formattingOf(snap.text);
  if (!snap.exists) return { format: 'jsonc', text: renderJson(after, fmt) };
  if (snap.format === 'jsonc') {
    // Each result is checked against the loader: a quirk the editor reads differently from it (a
    // duplicate key) falls through to jsonc-parser's plain edits, then to a whole rewrite,
    // announced as such.
    for (const style of ['splice', 'modify'] as const) {
      const text = mergePatchText(snap.text, snap.raw, patch, fmt, style);
      if (parsesTo(text, after, snap.file)) return { format: 'jsonc', text };
    }
  }
  const json = renderJson(after, fmt);
  if (parsesTo(json, after, snap.file)) return { format: 'json5-rewrite', text: json };
  return { format: 'json5-rewrite', text: `${JSON5.stringify(after, null, fmt.insertSpaces ? fmt.tabSize : '\t')}\n` };
}

async function patchLocked(file: string, target: string, request: PatchRequest, options: PatchOptions): Promise<PatchOutcome> {
  let snap: FileSnapshot;
  try {
    snap = await takeSnapshot(file, target);
  } catch (err) {
    if (err instanceof ConfigError) return refuse({ code: 'config_invalid', issues: [...err.issues] });
    throw err;
  }
  if (request.baseHash !== snap.hash) return refuse({ code: 'config_conflict', currentHash: snap.hash });

  const settled = settlePlaceholders(request.patch, snap.raw);
  if (!settled.ok) return refuse({ code: 'config_invalid', issues: settled.issues });
  const after = jsonMergePatch.apply(structuredClone(snap.raw), settled.patch) as Record<string, unknown>;

  let next: ResolvedConfig;
  try {
    next = checkForStartup(resolveConfig(after, file, options.load ?? {}));
  } catch (err) {
    if (err instanceof ConfigError) return refuse({ code: 'config_invalid', issues: [...err.issues] });
    throw err;
  }
  const extra = options.check?.(next) ?? [];
  if (extra.length) return refuse({ code: 'config_invalid', issues: extra });

  const changes = changesBetween(snap.raw, after);
  const base = { ok: true as const, previousHash: snap.hash, changedPaths: changes.map((c) => c.path), changes };
  // Nothing to change: the file is not touched (not rewritten from JSON5, not created).
  if (changes.length === 0) return { ...base, written: false, hash: snap.hash, format: snap.format === 'jsonc' ? 'jsonc' : 'json5-rewrite' };

  const lockout = await options.lockout?.(next);
  if (lockout !== undefined && !request.confirm) return refuse({ code: 'config_locks_you_out', why: lockout });

  const { format, text } = render(snap, settled.patch, after);
  const backup = format === 'json5-rewrite' ? `${target}.bak` : undefined;
  const applied: PatchApplied = { ...base, written: false, hash: hashBytes(text), format };
  if (backup) applied.backup = backup;
  if (lockout !== undefined) applied.lockout = lockout;
  if (options.dryRun) return { ...applied, preview: maskText(text, after, format === 'jsonc' ? 'jsonc' : 'json5', file) };

  try {
    if (backup) await writeFileAtomic(backup, snap.bytes, snap.identity);
    await writeFileAtomic(target, text, snap.identity, async () => {
      // Another process (a hand edit, a config manager) may have written since the check.
      const now = await currentHash(target);
      if (now !== snap.hash) throw new ChangedUnderneath(now ?? 'unreadable');
    });
  } catch (err) {
    if (err instanceof ChangedUnderneath) return refuse({ code: 'config_conflict', currentHash: err.currentHash });
    if (err instanceof WriteFailure) return refuse({ code: 'config_write_failed', detail: err.detail });
    throw err;
  }
  return { ...applied, written: true };
}
