/**
 * Whose sessions the chat view lists, and what the person may do in the one in view. Pure.
 *
 * An admin (operator.admin) may switch the list to everyone's sessions (`sessions.list {all:
 * true}`) and read any of them; they never send into, rename, delete or stop another person's
 * session. The gateway refuses those anyway (`session_not_found`): this only keeps the page from
 * offering them.
 */
import type { WireSession } from './wire.js';

/** Whose sessions are listed. */
export type Listing = 'own' | 'everyone';

/** The listing in force: everyone's only while the scopes make the person an admin. */
export function listingFor(wanted: Listing, admin: boolean): Listing {
  return wanted === 'everyone' && admin ? 'everyone' : 'own';
}

/** The parameters of `sessions.list` for a listing. */
export function listParams(listing: Listing): { all?: true } {
  return listing === 'everyone' ? { all: true } : {};
}

const SHARED: Readonly<Record<string, string>> = {
  token: 'the gateway token',
  password: 'the gateway password',
  none: 'anyone (no sign-in)',
};

/** An owner key in words: the user a proxy named, or who shares it in the modes without a user name. */
export function ownerName(owner: string): string {
  const at = owner.indexOf(':');
  if (at < 0) return owner;
  const method = owner.slice(0, at);
  const user = owner.slice(at + 1);
  return user || SHARED[method] || `${method} (shared)`;
}

/**
 * Who wrote a person's message, as its header says: "You" for the person's own (the gateway
 * records the owner key as the author), else the writer in words (an admin reading another
 * person's session).
 */
export function authorLabel(author: string | null | undefined, self: string): string {
  return !author || author === self ? 'You' : ownerName(author);
}

/** What the person may do in a session. */
export type Access =
  /** Send, stop, rename, delete. */
  | { kind: 'write' }
  /** Their own session, without operator.write. */
  | { kind: 'read' }
  /** Another person's session, listed for an admin: read only, whatever their scopes. */
  | { kind: 'others'; owner: string };

/**
 * The access to `session` (or to a new one, when none is in view); `self` is the person's owner
 * key (src/protocol/owner.ts ownerOf, from hello-ok's identity). A session without an owner
 * (an older gateway) counts as the person's own: the gateway decides in any case.
 */
export function accessTo(session: Pick<WireSession, 'owner'> | undefined, self: string, canWrite: boolean): Access {
  if (session?.owner !== undefined && session.owner !== self) return { kind: 'others', owner: session.owner };
  return canWrite ? { kind: 'write' } : { kind: 'read' };
}
