/**
 * What the journal records: a closed union of entry kinds, each with its typed payload. Payloads
 * are built by the callers from data that has already lost its secrets (a config is redacted
 * before it reaches a `config.patch` payload; a chat run records token counts, never the text).
 * See docs/journal.md#what-is-recorded for the same list for people.
 */
import type { AuthMode } from '../config/schema.js';
import { JOURNAL_KINDS, type Actor, type JournalKindName } from '../protocol/journal.js';

export type { Actor, JournalListEntry, JournalListResult } from '../protocol/journal.js';

export type ActorType = Actor['type'];
export const ACTOR_TYPES: readonly ActorType[] = Object.freeze(['user', 'claimed', 'client', 'anonymous', 'system']);

export type Surface = 'http' | 'ws';

/** How many admissions or refusals arrived over each surface. */
export interface SurfaceCounts {
  readonly http: number;
  readonly ws: number;
}

/** A config change: which dotted paths changed, and their values before and after, redacted. */
export interface ConfigPatchPayload {
  /** Dotted paths the patch changed, e.g. `gateway.auth.trustedProxy.allowUsers`. */
  readonly paths: readonly string[];
  /** Value at each path before, secrets replaced by their placeholder. */
  readonly before: Readonly<Record<string, unknown>>;
  readonly after: Readonly<Record<string, unknown>>;
  /** Hash of the file the patch was applied to, and of the file written. */
  readonly baseHash: string;
  readonly hash: string;
}

export interface SessionDeletePayload {
  readonly sessionKey: string;
  /** The session's owner (an admin may delete another person's session). */
  readonly owner: string;
}

export interface ChatRunPayload {
  readonly runId: string;
  readonly sessionKey: string;
  /** `provider/model`. */
  readonly model: string;
  readonly state: 'final' | 'aborted' | 'error';
  /** Token counts the model server reported (absent when it reported none). Never the text. */
  readonly usage?: { readonly prompt: number; readonly completion: number };
  /** The reason code of an `error` or `aborted` run. */
  readonly reason?: string;
}

/** One admission, written at once: the first of its (identity, method) in an aggregation window. */
export interface AuthAdmitPayload {
  /** The verified user, or null for a client admitted without a name. */
  readonly user: string | null;
  readonly method: AuthMode;
  readonly surface: Surface;
  readonly peer: string;
}

/** One refusal, written at once: the first of its (reason, peer, claimed user) in a window. */
export interface AuthRefusePayload {
  /** The reason code (src/auth/reasons.ts). */
  readonly reason: string;
  /** The header a header reason names, or the `why` of an assertion reason. */
  readonly detail?: string;
  /** The identity the request asserted, unverified; null when it named none. */
  readonly claimedUser: string | null;
  readonly surface: Surface;
  readonly peer: string;
}

/** Admissions of one (user, method) in a window, beyond the one written at once. */
export interface AdmitGroup {
  readonly user: string | null;
  readonly method: AuthMode;
  readonly count: number;
  readonly firstAt: number;
  readonly lastAt: number;
  /** Up to {@link MAX_GROUP_PEERS} distinct peers, in the order first seen. */
  readonly peers: readonly string[];
  /** Distinct peers beyond those listed. */
  readonly morePeers: number;
  readonly surfaces: SurfaceCounts;
}

/** Refusals of one (reason, peer, claimed user) in a window, beyond the one written at once. */
export interface RefuseGroup {
  readonly reason: string;
  readonly claimedUser: string | null;
  readonly peer: string;
  readonly count: number;
  readonly firstAt: number;
  readonly lastAt: number;
  readonly surfaces: SurfaceCounts;
}

/** What a summary could not list one by one (a flood past the per-minute cap). */
export interface Omitted {
  /** Groups summed here without being listed. */
  readonly groups: number;
  /** Events in those groups. */
  readonly count: number;
}

export interface AggregatePayload<G> {
  /** The aggregation window, milliseconds since the epoch. */
  readonly windowStart: number;
  readonly windowEnd: number;
  /** One group for a per-identity summary; up to {@link MAX_SUMMARY_GROUPS} in a flood summary. */
  readonly groups: readonly G[];
  readonly omitted: Omitted;
}

export type AuthAdmitAggregatePayload = AggregatePayload<AdmitGroup>;
export interface AuthRefuseAggregatePayload extends AggregatePayload<RefuseGroup> {
  /** Omitted refusals by reason code (the reasons are a closed set, so this stays small). */
  readonly omittedByReason: Readonly<Record<string, number>>;
}

export type ReloadSource = 'file' | 'SIGHUP' | 'api' | 'console';

export interface ReloadPayload {
  /**
   * What asked for it: a change of the file seen by the watcher, SIGHUP, the console (a config
   * patch), or `api`: the embedding program (RunningGateway.reload, the CLI after its first run).
   */
  readonly source: ReloadSource;
  /** `unchanged`: the file was read and valid, and nothing in force changed. */
  readonly result: 'applied' | 'unchanged' | 'rejected';
  /** The config generation in force after the reload. */
  readonly generation?: number;
  /** Dotted paths that changed (applied), or the fields that were refused (rejected). */
  readonly paths?: readonly string[];
  /** Changes that wait for a restart (port, bind, ...). */
  readonly pendingRestart?: readonly string[];
  /** Open sessions the new rules refused, closed by the reload (absent when none). */
  readonly sessionsClosed?: number;
  /** Why a reload was rejected: the field and the fix, as logged. */
  readonly error?: string;
}

/**
 * Written by retention BEFORE it deletes the oldest entries: the seq and hash of the newest entry
 * it removes. Verification starts from the entry after it (see docs/journal.md#retention).
 */
export interface JournalPrunePayload {
  readonly throughSeq: number;
  readonly throughHash: string;
  /** Entries this prune removes. */
  readonly count: number;
  /** Which limit required it. */
  readonly rule: 'age' | 'count';
}

/** Entries the gateway could not write (disk full, say), recorded once writing works again. */
export interface JournalLostPayload {
  readonly count: number;
  readonly firstAt: number;
  readonly lastAt: number;
  /** The store error code, e.g. `store_full`. */
  readonly error: string;
}

/** Every kind of entry and its payload. Adding a kind: add it here, in KINDS, and in docs/journal.md. */
export interface PayloadByKind {
  'config.patch': ConfigPatchPayload;
  'session.delete': SessionDeletePayload;
  'chat.run': ChatRunPayload;
  'auth.admit': AuthAdmitPayload;
  'auth.admit.aggregate': AuthAdmitAggregatePayload;
  'auth.refuse': AuthRefusePayload;
  'auth.refuse.aggregate': AuthRefuseAggregatePayload;
  reload: ReloadPayload;
  'journal.prune': JournalPrunePayload;
  'journal.lost': JournalLostPayload;
}

export type JournalKind = keyof PayloadByKind;

/** The kinds, as the wire lists them; the check below keeps them equal to PayloadByKind's keys. */
export const KINDS: readonly JournalKind[] = JOURNAL_KINDS;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const kindsMatch: Same<JournalKind, JournalKindName> = true;
void kindsMatch;

export function isJournalKind(value: string): value is JournalKind {
  return (KINDS as readonly string[]).includes(value);
}

/** An entry to append: the journal adds seq, prev and hash. `time` defaults to the journal's clock. */
export type JournalInput = {
  [K in JournalKind]: { readonly kind: K; readonly actor: Actor; readonly payload: PayloadByKind[K]; readonly time?: number };
}[JournalKind];

/** An entry as stored: every field that is hashed, plus its prev and hash. */
export interface JournalEntry {
  readonly seq: number;
  /** Milliseconds since the epoch. */
  readonly time: number;
  readonly actor: Actor;
  /** One of {@link KINDS}; read back as stored (a newer release may have written another). */
  readonly kind: string;
  /** The payload as stored: canonical JSON (sorted keys, no spaces). */
  readonly payload: string;
  /** Hash of the entry before (64 hex digits); {@link GENESIS} for the first entry ever. */
  readonly prev: string;
  readonly hash: string;
}

/** The `prev` of the first entry a journal ever holds. */
export const GENESIS = '0'.repeat(64);

/** Peers listed per admission group. */
export const MAX_GROUP_PEERS = 8;
/** Groups listed in one flood summary; the rest are counted in `omitted`. */
export const MAX_SUMMARY_GROUPS = 20;

