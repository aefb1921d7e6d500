/**
 * Why a config edit was refused, as a closed set of codes, each with its HTTP status, the sentence
 * for a person and the fix: the rows of the reason table (src/protocol/reasons.ts), which owns them.
 */
import type { ConfigIssue } from '../errors.js';
import { REASONS, type ConfigEditCode } from '../../protocol/reasons.js';

export type { ConfigEditCode };

export interface ConfigEditCodeInfo {
  /** HTTP status for a refused request. */
  status: number;
  /** What happened, for a person. */
  message: string;
  /** What to do, for a person. */
  fix: string;
}

const info = (code: ConfigEditCode): ConfigEditCodeInfo => Object.freeze({ status: REASONS[code].status, message: REASONS[code].message, fix: REASONS[code].fix });

export const CONFIG_EDIT_CODES: Readonly<Record<ConfigEditCode, ConfigEditCodeInfo>> = Object.freeze({
  config_conflict: info('config_conflict'),
  config_invalid: info('config_invalid'),
  config_locks_you_out: info('config_locks_you_out'),
  config_write_failed: info('config_write_failed'),
});

/** A refused edit, as data. The file is left byte-for-byte as it was. */
export type ConfigEditRefusal =
  | { code: 'config_conflict'; /** The hash of the file as it is now. */ currentHash: string }
  | { code: 'config_invalid'; issues: ConfigIssue[] }
  | { code: 'config_locks_you_out'; /** Why, from the caller's lockout check. */ why: string }
  | { code: 'config_write_failed'; /** The system error code (`EACCES`, `ENOSPC`, ...) or what could not be kept. */ detail: string };
