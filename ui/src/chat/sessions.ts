/**
 * The session list as the chat view keeps it: most recently active first, one entry per key.
 * Pure functions over plain data.
 */
import type { ChatEvent, SessionsPage, WireSession } from './wire.js';

/** Most recently active first; sessions without times keep their order after those with. */
export function sortSessions(list: readonly WireSession[]): WireSession[] {
  return [...list].sort((a, b) => (b.updatedAt ?? 0) - (a.updatedAt ?? 0));
}

/** Adds a session or replaces the one with its key. */
export function upsertSession(list: readonly WireSession[], s: WireSession): WireSession[] {
  return sortSessions([...list.filter((x) => x.key !== s.key), s]);
}

export function removeSession(list: readonly WireSession[], key: string): WireSession[] {
  return list.filter((x) => x.key !== key);
}

/** A session that has just had a message: it moves to the top. */
export function touchSession(list: readonly WireSession[], key: string, at: number): WireSession[] {
  const s = list.find((x) => x.key === key);
  return s ? upsertSession(list, { ...s, updatedAt: Math.max(at, s.updatedAt ?? 0) }) : [...list];
}

/** What the list shows for a session: its title, else "New chat". */
export function sessionLabel(s: Pick<WireSession, 'title'>): string {
  return s.title.trim() || 'New chat';
}

/** A title from a first message: its first line, cut at a word near 60 characters. */
export function titleFrom(message: string, max = 60): string {
  const line = message.trim().split('\n', 1)[0]!.replace(/\s+/g, ' ');
  if (line.length <= max) return line;
  const cut = line.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** The session to show after `key` is gone: the next one in the list, else the previous, else none. */
export function neighbourOf(list: readonly WireSession[], key: string): string | undefined {
  const i = list.findIndex((x) => x.key === key);
  if (i < 0) return list[0]?.key;
  return (list[i + 1] ?? list[i - 1])?.key;
}

/**
 * What a `chat` event does to the session list: a session not listed (made in another tab) has the
 * list loaded again, as has the end of any answer (titles and order); the first event of an answer
 * in a listed session moves it to the top.
 */
export function listAfterEvent(ev: Pick<ChatEvent, 'seq' | 'state'>, listed: boolean): { reload: boolean; touch: boolean } {
  return { reload: !listed || ev.state !== 'delta', touch: listed && ev.seq === 0 };
}

/** The sessions listed so far and where the next page continues (undefined: every page is listed). */
export interface PagedSessions {
  list: WireSession[];
  next: string | undefined;
}

/** Whether `s` comes after `last` in the gateway's order (most recently active first, ties by the greater key first). */
function listedAfter(s: WireSession, last: WireSession): boolean {
  const a = s.updatedAt ?? 0;
  const b = last.updatedAt ?? 0;
  return a < b || (a === b && s.key < last.key);
}

/**
 * The list after its first page was fetched again (a chat event, a session made elsewhere): the
 * page replaces the top of the list; sessions of older pages already shown stay below it, and
 * so does the cursor past them. A page without `next` is the whole list.
 */
export function withFirstPage(shown: PagedSessions, page: SessionsPage): PagedSessions {
  const top = sortSessions(page.sessions);
  const last = page.sessions[page.sessions.length - 1];
  if (page.next === undefined || !last) return { list: top, next: undefined };
  const keys = new Set(page.sessions.map((s) => s.key));
  const older = shown.list.filter((s) => !keys.has(s.key) && listedAfter(s, last));
  return { list: [...top, ...older], next: older.length > 0 ? shown.next : page.next };
}

/** The list after the next older page came: its sessions go below (one already listed keeps its entry). */
export function withOlderPage(shown: PagedSessions, page: SessionsPage): PagedSessions {
  const keys = new Set(shown.list.map((s) => s.key));
  return { list: [...shown.list, ...sortSessions(page.sessions.filter((s) => !keys.has(s.key)))], next: page.next };
}
