/**
 * Presence events, coalesced. Sending every join and leave with the full list to every session
 * costs O(sessions²) per change: 300 sessions joining one by one moved over a gigabyte, and any
 * client that churns connections could set that off. So changes are batched into at most one
 * `presence` event per flush interval, and the full list rides along only while it is small.
 *
 * Event payload: `{ change, entry, changes, count, entries? }`.
 * - `change`, `entry`: the latest change in the batch (the shape single-change clients read).
 * - `changes`: every change since the previous event, oldest first; omitted, with
 *   `truncated: true`, past PRESENCE_MAX_CHANGES (call `presence.list` then).
 * - `count`: sessions connected now. `entries`: the full list, only while count <= PRESENCE_INLINE_MAX.
 */
import type { Presence } from '../presence.js';
import type { PresenceChange, PresenceEvent } from '../../protocol/presence.js';

export const PRESENCE_FLUSH_MS = 250;
export const PRESENCE_INLINE_MAX = 200;
export const PRESENCE_MAX_CHANGES = 100;

export class PresenceFanout {
  private batch: PresenceChange[] = [];
  private overflow = false;
  private timer: NodeJS.Timeout | undefined;
  private lastFlush = -Infinity;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly presence: Presence,
    private readonly emit: (payload: PresenceEvent) => void,
    private readonly flushMs = PRESENCE_FLUSH_MS,
  ) {
    this.unsubscribe = presence.onChange((c) => this.push(c));
  }

  private push(c: PresenceChange): void {
    if (this.batch.length < PRESENCE_MAX_CHANGES) this.batch.push(c);
    else {
      this.overflow = true;
      this.batch[this.batch.length - 1] = c;
    }
    if (this.timer) return;
    // Leading edge after a quiet spell (next tick, so a synchronous burst still batches).
    const wait = Math.max(0, this.lastFlush + this.flushMs - Date.now());
    this.timer = setTimeout(() => this.flush(), wait);
    this.timer.unref();
  }

  private flush(): void {
    this.timer = undefined;
    this.lastFlush = Date.now();
    const batch = this.batch;
    const truncated = this.overflow;
    this.batch = [];
    this.overflow = false;
    const last = batch[batch.length - 1];
    if (!last) return;
    const count = this.presence.size;
    this.emit({
      change: last.change,
      entry: last.entry,
      ...(truncated ? { truncated: true } : { changes: batch }),
      count,
      ...(count <= PRESENCE_INLINE_MAX ? { entries: this.presence.list() } : {}),
    });
  }

  close(): void {
    clearTimeout(this.timer);
    this.unsubscribe();
  }
}
