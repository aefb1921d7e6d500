/**
 * The Activity view's logic, without the DOM: the `journal.list` params for the filters a person
 * chose, and each journal entry as who / what / when for a person to read. The view
 * (views/activity.ts) only renders these.
 */
import type { Actor, JournalKindName as JournalKind, JournalListEntry } from '../../src/protocol/journal.js';

/** Entries per page. */
export const PAGE_SIZE = 50;

/** The time filter: how far back, or everything. */
export const SINCE_CHOICES = [
  { id: '15m', label: 'Last 15 minutes', ms: 15 * 60_000 },
  { id: '1h', label: 'Last hour', ms: 3600_000 },
  { id: '24h', label: 'Last 24 hours', ms: 24 * 3600_000 },
  { id: '7d', label: 'Last 7 days', ms: 7 * 24 * 3600_000 },
  { id: 'all', label: 'All', ms: undefined },
] as const;

export type SinceId = (typeof SINCE_CHOICES)[number]['id'];

/** The kind filter: families of kinds a person thinks in. */
export const KIND_CHOICES: ReadonlyArray<{ id: string; label: string; kinds: readonly JournalKind[] | undefined }> = [
  { id: 'all', label: 'Everything', kinds: undefined },
  { id: 'config', label: 'Config changes', kinds: ['config.patch'] },
  { id: 'reload', label: 'Reloads', kinds: ['reload'] },
  { id: 'signin', label: 'Sign-ins', kinds: ['auth.admit', 'auth.admit.aggregate'] },
  { id: 'refused', label: 'Refusals', kinds: ['auth.refuse', 'auth.refuse.aggregate'] },
  { id: 'chat', label: 'Chat runs', kinds: ['chat.run'] },
  { id: 'session', label: 'Session deletions', kinds: ['session.delete'] },
  { id: 'journal', label: 'Journal upkeep', kinds: ['journal.prune', 'journal.lost'] },
];

export interface Filters {
  /** An identity, verified or claimed; empty for everyone. */
  user: string;
  /** A KIND_CHOICES id. */
  kind: string;
  since: SinceId;
}

export const DEFAULT_FILTERS: Filters = Object.freeze({ user: '', kind: 'all', since: '24h' });

export interface ListParams {
  limit: number;
  user?: string;
  kind?: JournalKind[];
  since?: number;
  cursor?: number;
}

/** The `journal.list` params for `filters` at `now`, continuing below `cursor` when given. */
export function listParams(filters: Filters, now: number, cursor?: number): ListParams {
  const p: ListParams = { limit: PAGE_SIZE };
  const user = filters.user.trim();
  if (user) p.user = user;
  const kinds = KIND_CHOICES.find((k) => k.id === filters.kind)?.kinds;
  if (kinds) p.kind = [...kinds];
  const ms = SINCE_CHOICES.find((s) => s.id === filters.since)?.ms;
  if (ms !== undefined) p.since = now - ms;
  if (cursor !== undefined) p.cursor = cursor;
  return p;
}

/** Who, in words, and whether the name was verified. */
export function actorLabel(a: Actor): { who: string; note?: string } {
  switch (a.type) {
    case 'user':
      return { who: a.id };
    case 'claimed':
      return { who: a.id, note: 'claimed, not verified' };
    case 'client':
      return { who: 'a client without a name', note: 'token, password or no auth' };
    case 'anonymous':
      return { who: 'no identity' };
    case 'system':
      return { who: 'the gateway' };
  }
}

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
const list = (xs: readonly unknown[] | undefined, max = 3) => {
  const s = (xs ?? []).map(String);
  return s.length > max ? `${s.slice(0, max).join(', ')} and ${s.length - max} more` : s.join(', ');
};
const obj = (x: unknown): Record<string, any> => (x && typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, any>) : {});

/** What happened, in one sentence for a person (the payload in full is shown beside it). */
export function describeEntry(e: Pick<JournalListEntry, 'kind' | 'payload' | 'actor'>): string {
  const p = obj(e.payload);
  switch (e.kind) {
    case 'config.patch':
      return `changed the config: ${list(p.paths) || 'no paths'}`;
    case 'session.delete':
      return `deleted chat session ${p.sessionKey}${p.owner ? ` of ${p.owner}` : ''}`;
    case 'chat.run': {
      const usage = obj(p.usage);
      const tokens = typeof usage.prompt === 'number' ? ` (${usage.prompt} + ${usage.completion} tokens)` : '';
      return `chat run on ${p.model}: ${p.state}${p.reason ? ` (${p.reason})` : ''}${tokens}`;
    }
    case 'auth.admit':
      return `signed in (${p.method}, ${p.surface === 'ws' ? 'console' : 'HTTP'}) from ${p.peer}`;
    case 'auth.admit.aggregate': {
      const groups: any[] = Array.isArray(p.groups) ? p.groups : [];
      const total = groups.reduce((n, g) => n + (Number(obj(g).count) || 0), 0) + (Number(obj(p.omitted).count) || 0);
      if (e.actor.type === 'system') return `${plural(total, 'more sign-in')} of ${plural(groups.length + (Number(obj(p.omitted).groups) || 0), 'person', 'people')}, summed (past the per-minute budget)`;
      const g = obj(groups[0]);
      return `signed in ${plural(total, 'more time')} (${g.method}) from ${list(g.peers)}${g.morePeers ? ` and ${g.morePeers} more` : ''}`;
    }
    case 'auth.refuse':
      return `refused: ${p.reason}${p.detail ? ` (${p.detail})` : ''}, ${p.surface === 'ws' ? 'console' : 'HTTP'} from ${p.peer}`;
    case 'auth.refuse.aggregate': {
      const groups: any[] = Array.isArray(p.groups) ? p.groups : [];
      const listed = groups.reduce((n, g) => n + (Number(obj(g).count) || 0), 0);
      const total = listed + (Number(obj(p.omitted).count) || 0);
      if (e.actor.type === 'system') return `${plural(total, 'more refusal')} summed (a flood past the per-minute budget): ${list([...new Set(groups.map((g) => obj(g).reason))])}`;
      const g = obj(groups[0]);
      return `refused ${plural(total, 'more time')}: ${g.reason} from ${g.peer}`;
    }
    case 'reload': {
      const how = p.source === 'SIGHUP' ? 'on SIGHUP' : p.source === 'file' ? 'after the file changed' : p.source === 'console' ? 'from the console' : 'by the program';
      const closed = p.sessionsClosed ? `; ${plural(Number(p.sessionsClosed), 'session')} closed` : '';
      const what = p.result === 'applied' ? `applied (generation ${p.generation})${p.paths?.length ? `: ${list(p.paths)}` : ''}${closed}` : p.result === 'rejected' ? `rejected${p.paths?.length ? `: ${list(p.paths)}` : ''}` : 'nothing changed';
      return `config reloaded ${how}: ${what}`;
    }
    case 'journal.prune':
      return `retention removed ${plural(Number(p.count) || 0, 'entry', 'entries')} up to #${p.throughSeq} (by ${p.rule})`;
    case 'journal.lost':
      return `${plural(Number(p.count) || 0, 'sign-in entry', 'sign-in entries')} could not be written (${p.error})`;
    default:
      return e.kind;
  }
}

/** When, for a person: local date and time to the second (the ISO time goes in a tooltip). */
export function whenLabel(time: number, now: number): string {
  const d = new Date(time);
  const sameDay = new Date(now).toDateString() === d.toDateString();
  const clock = d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return sameDay ? clock : `${d.toLocaleDateString('en-CA')} ${clock}`;
}

/** Pages seen so far: the cursor each started from, so "Newer" goes back one page. */
export interface Paging {
  /** Cursors of the pages before the one shown (undefined: the newest page). */
  readonly back: ReadonlyArray<number | undefined>;
  /** The cursor the page shown started from. */
  readonly at: number | undefined;
  /** The next (older) page's cursor, when there is one. */
  readonly next: number | undefined;
}

export const FIRST_PAGE: Paging = Object.freeze({ back: [], at: undefined, next: undefined });

/** After a page arrived. */
export const arrived = (p: Paging, next: number | undefined): Paging => ({ ...p, next });
/** Going to the older page (the caller then asks for `at`). */
export const older = (p: Paging): Paging => (p.next === undefined ? p : { back: [...p.back, p.at], at: p.next, next: undefined });
/** Going back to the newer page. */
export const newer = (p: Paging): Paging => (p.back.length ? { back: p.back.slice(0, -1), at: p.back[p.back.length - 1], next: undefined } : p);
