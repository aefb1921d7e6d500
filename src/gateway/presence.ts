/**
 * Who is connected right now. Entries are added when a WebSocket completes `connect` and removed
 * when it closes; listeners hear about each change (the WS layer turns them into `presence` events).
 */
import type { PresenceChange, PresenceEntry } from '../protocol/presence.js';

export class Presence {
  private readonly entries = new Map<string, PresenceEntry>();
  private readonly listeners = new Set<(c: PresenceChange) => void>();
  private cached: Readonly<{ entries: readonly PresenceEntry[] }> | undefined;

  add(entry: PresenceEntry): void {
    this.entries.set(entry.connId, entry);
    this.cached = undefined;
    this.emit({ change: 'join', entry });
  }

  remove(connId: string): void {
    const entry = this.entries.get(connId);
    if (!entry) return;
    this.entries.delete(connId);
    this.cached = undefined;
    this.emit({ change: 'leave', entry });
  }

  /**
   * `{ entries }`, frozen and shared until the next change, so the WebSocket layer serializes it
   * once however often clients ask (see serialize.ts).
   */
  snapshot(): Readonly<{ entries: readonly PresenceEntry[] }> {
    this.cached ??= Object.freeze({ entries: Object.freeze(this.list()) });
    return this.cached;
  }

  list(): PresenceEntry[] {
    return [...this.entries.values()];
  }

  get size(): number {
    return this.entries.size;
  }

  onChange(fn: (c: PresenceChange) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(c: PresenceChange): void {
    for (const fn of this.listeners) fn(c);
  }
}
