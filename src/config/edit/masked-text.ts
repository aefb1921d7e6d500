/**
 * The config file's text as the console may see it: every inline secret's value replaced by the
 * placeholder, everything else (comments, layout) as in the file. When that cannot be done with
 * certainty, the masked contents are shown as JSON instead and `exact` says the layout is not the
 * file's. A secret is never let through: the result is checked for every secret's value, comments
 * included.
 */
import { isDeepStrictEqual } from 'node:util';
import { applyEdits, modify } from 'jsonc-parser';
import { parseConfigText } from '../load.js';
import { secretKeysIn } from '../secrets.js';
import { formattingOf, renderJson, type FileFormat } from './format.js';
import { isPlainObject } from './paths.js';
import { maskSecrets, SECRET_PLACEHOLDER } from './placeholder.js';

export interface MaskedText {
  text: string;
  /** True when `text` is the file's own text with only the secret values replaced. */
  exact: boolean;
}

function valueAt(raw: unknown, keys: readonly string[]): unknown {
  let cur = raw;
  for (const k of keys) cur = isPlainObject(cur) ? cur[k] : undefined;
  return cur;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `text` (which parses to `raw`, in `format`) with its secrets masked. */
export function maskText(text: string, raw: unknown, format: FileFormat, file: string): MaskedText {
  const paths = secretKeysIn(raw);
  if (paths.length === 0) return { text, exact: true };
  const secrets = paths.map((keys) => valueAt(raw, keys)).filter((v): v is string => typeof v === 'string');
  let out = text;
  if (format === 'jsonc') {
    for (const keys of paths) out = applyEdits(out, modify(out, keys, SECRET_PLACEHOLDER, {}));
  } else {
    // JSON5 cannot be edited in place: replace each secret where it is written as a plain quoted
    // literal; the checks below catch any case this misses (an escape, a value used twice).
    for (const s of secrets) out = out.replace(new RegExp(`(["'])${escapeRegExp(s)}\\1`, 'g'), `$1${SECRET_PLACEHOLDER}$1`);
  }
  const masked = maskSecrets(raw);
  let sameValue = false;
  try {
    sameValue = isDeepStrictEqual(parseConfigText(out, file), masked);
  } catch {
    sameValue = false;
  }
  if (sameValue && !secrets.some((s) => out.includes(s))) return { text: out, exact: true };
  // Last resort: the masked contents, without the file's comments (one of which may hold a secret).
  return { text: renderJson(masked, formattingOf(text)), exact: false };
}
