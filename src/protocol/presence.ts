/**
 * Presence on the wire: who is connected (`presence.list`) and the `presence` event.
 */
import type { Identity } from './identity.js';

export interface PresenceEntry {
  connId: string;
  user: string | null;
  method: Identity['method'];
  client: { name?: string; version?: string };
  /** ISO time the session connected. */
  since: string;
}

export type PresenceChange = { change: 'join' | 'leave'; entry: PresenceEntry };

/**
 * The payload of a `presence` event. The gateway sends at most one per flush interval (250 ms):
 * `change`/`entry` are the latest change, `changes` all of them since the previous event (left
 * out, with `truncated`, past 100). `entries` (the full list) is left out when more than 200
 * sessions are connected: ask `presence.list` then.
 */
export interface PresenceEvent {
  change: 'join' | 'leave';
  entry: PresenceEntry;
  changes?: PresenceChange[];
  truncated?: true;
  count: number;
  entries?: PresenceEntry[];
}
