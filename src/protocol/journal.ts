/**
 * The journal on the wire: the entry kinds `journal.list` filters by, who an entry names, and the
 * method's answer. The journal itself (src/journal/) builds on these; the Control UI reads them.
 */

/** Every kind of journal entry (src/journal/types.ts gives each its payload). */
export const JOURNAL_KINDS = Object.freeze([
  'config.patch',
  'session.delete',
  'chat.run',
  'auth.admit',
  'auth.admit.aggregate',
  'auth.refuse',
  'auth.refuse.aggregate',
  'reload',
  'journal.prune',
  'journal.lost',
] as const);

export type JournalKindName = (typeof JOURNAL_KINDS)[number];

/**
 * Who did it.
 * - `user`: an admitted, verified identity (trusted-proxy user).
 * - `client`: admitted without a name (token, password or `none` mode); `id` is null.
 * - `claimed`: the identity a refused request asserted: NOT verified, only what it said.
 * - `anonymous`: a refused request that named no one.
 * - `system`: the gateway itself (reloads, retention, summaries of a flood).
 *
 * The type is part of the hashed entry, so a claimed name can never pass for a verified one,
 * even when it is spelled "system".
 */
export type Actor =
  | { readonly type: 'user'; readonly id: string }
  | { readonly type: 'claimed'; readonly id: string }
  | { readonly type: 'client' }
  | { readonly type: 'anonymous' }
  | { readonly type: 'system' };

/** An entry as `journal.list` answers it (src/methods/journal.ts): the payload parsed. */
export interface JournalListEntry {
  readonly seq: number;
  readonly time: number;
  readonly actor: Actor;
  readonly kind: string;
  /** The stored payload, parsed (a damaged row that is not JSON stays its text). */
  readonly payload: unknown;
  readonly hash: string;
}

/** The result of `journal.list`. */
export interface JournalListResult {
  /** Newest first. */
  readonly entries: readonly JournalListEntry[];
  /** Pass as `cursor` for the next (older) page; absent on the last page. */
  readonly nextCursor?: number;
  /** Set when this gateway keeps no journal: why (a `store_*` reason code, or null without a database). */
  readonly unavailable?: { readonly reason: string | null; readonly message: string };
}
