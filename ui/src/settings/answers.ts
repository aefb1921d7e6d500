/**
 * Reading the gateway's answers to `config.patch` for the Settings view: validation issues placed
 * under the field they name, a conflict as both versions side by side, a raw JSON5 edit turned
 * into a patch.
 */
import JSON5 from 'json5';
import { mergePatch, patchPaths } from './form.js';

export interface Issue {
  path: string;
  message: string;
  fix?: string;
}

/** Where an issue is shown: a form field's id, or `other` (listed above the form). */
export function fieldOf(path: string): string {
  let m: RegExpExecArray | null;
  if (path.startsWith('gateway.auth.trustedProxy.allowUsers')) return 'allowUsers';
  if (path.startsWith('gateway.auth.trustedProxy.allowGroups')) return 'allowGroups';
  if (path.startsWith('gateway.trustedProxies')) return 'trustedProxies';
  if ((m = /^gateway\.authorization\.rules\[(\d+)\]/.exec(path))) return `rules.${m[1]}`;
  if (path.startsWith('gateway.authorization')) return 'rules';
  if (path === 'models.default') return 'defaultModel';
  // A provider's name may hold dots: it is the key right after "models.providers.", up to the field.
  if ((m = /^models\.providers\.(.+?)(?:\.(?:baseUrl|apiKey|models)(?:\[\d+\])?)?$/.exec(path))) return `providers.${m[1]}`;
  if (path.startsWith('models')) return 'providers';
  return 'other';
}

/** The issues grouped by the field they are shown under. */
export function issuesByField(issues: readonly Issue[]): Map<string, Issue[]> {
  const out = new Map<string, Issue[]>();
  for (const i of issues) {
    const f = fieldOf(i.path);
    out.set(f, [...(out.get(f) ?? []), i]);
  }
  return out;
}

/** The issues of a config_invalid answer (`error.details.issues`), checked. */
export function issuesOf(details: unknown): Issue[] {
  const list = (details as { issues?: unknown } | undefined)?.issues;
  if (!Array.isArray(list)) return [];
  return list
    .filter((i): i is Issue => typeof i?.path === 'string' && typeof i?.message === 'string')
    .map((i) => ({ path: i.path, message: i.message, ...(typeof i.fix === 'string' && { fix: i.fix }) }));
}

function at(root: unknown, path: string): unknown {
  let cur = root;
  for (const k of path.split('.')) cur = cur !== null && typeof cur === 'object' && !Array.isArray(cur) ? (cur as Record<string, unknown>)[k] : undefined;
  return cur;
}

export interface ConflictRow {
  path: string;
  /** The value your change sets (undefined: removes it). */
  yours: unknown;
  /** The value in the file as it is now. */
  file: unknown;
}

/**
 * Both versions of what your change touches: for each path of your patch, your value and the
 * value in the file now (from a fresh config.get). `yourConfig` is the file as your change makes it.
 */
export function conflictRows(patch: Record<string, unknown>, yourConfig: unknown, fileNow: unknown): ConflictRow[] {
  return patchPaths(patch).map((path) => ({ path, yours: at(yourConfig, path), file: at(fileNow, path) }));
}

/** A value as a conflict row shows it. */
export function shown(value: unknown): string {
  return value === undefined ? '(not set)' : JSON.stringify(value);
}

export type RawPatch = { ok: true; patch: Record<string, unknown> | undefined; config: Record<string, unknown> } | { ok: false; message: string };

/** A raw JSON5 edit of the file (secrets still as the placeholder) as a patch of `original`. */
export function patchFromRaw(original: Record<string, unknown>, text: string): RawPatch {
  let parsed: unknown;
  try {
    parsed = JSON5.parse(text);
  } catch (err) {
    const e = err as Error & { lineNumber?: number; columnNumber?: number };
    const where = e.lineNumber ? ` at line ${e.lineNumber}, column ${e.columnNumber}` : '';
    return { ok: false, message: `not valid JSON5${where}: ${e.message.replace(/^JSON5: /, '')}` };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { ok: false, message: 'the file must hold an object, e.g. { gateway: { ... } }' };
  const config = parsed as Record<string, unknown>;
  return { ok: true, patch: mergePatch(original, config), config };
}
