/**
 * Why a config edit was refused, as a closed set of codes, each with its HTTP status, the sentence
 * for a person and the fix. The console shows these; the gateway maps them onto its wire errors.
 * (Until the reason table that owns wire codes takes them over, this module is their one source.)
 */
import type { ConfigIssue } from '../errors.js';

export type ConfigEditCode = 'config_conflict' | 'config_invalid' | 'config_locks_you_out' | 'config_write_failed';

export interface ConfigEditCodeInfo {
  /** HTTP status for a refused request. */
  status: number;
  /** What happened, for a person. */
  message: string;
  /** What to do, for a person. */
  fix: string;
}

export const CONFIG_EDIT_CODES: Readonly<Record<ConfigEditCode, ConfigEditCodeInfo>> = Object.freeze({
  config_conflict: {
    status: 409,
    message: 'The config file changed after you loaded it (another admin, a hand edit or a config manager); nothing was written.',
    fix: 'Load the config again, look at what changed, and apply your change to the current version.',
  },
  config_invalid: {
    status: 422,
    message: 'The config this change would produce would not start the gateway; nothing was written.',
    fix: 'Correct the fields listed (each names the field and the fix), the same checks as `mayros config validate`.',
  },
  config_locks_you_out: {
    status: 409,
    message: 'This change would refuse you, the admin sending it (you would no longer be allowed in, or no longer be an admin); nothing was written.',
    fix: 'Change it so that you stay allowed, or send it again with confirm if you mean to lock yourself out.',
  },
  config_write_failed: {
    status: 500,
    message: 'The gateway could not write the config file (permissions, a full disk, or an owner it cannot keep); the file was left as it was.',
    fix: 'Check the file, its directory and the disk on the gateway host (the detail names the system error), or edit the file by hand.',
  },
});

/** A refused edit, as data. The file is left byte-for-byte as it was. */
export type ConfigEditRefusal =
  | { code: 'config_conflict'; /** The hash of the file as it is now. */ currentHash: string }
  | { code: 'config_invalid'; issues: ConfigIssue[] }
  | { code: 'config_locks_you_out'; /** Why, from the caller's lockout check. */ why: string }
  | { code: 'config_write_failed'; /** The system error code (`EACCES`, `ENOSPC`, ...) or what could not be kept. */ detail: string };
