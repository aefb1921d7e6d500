/**
 * `logs.line` events for the sessions that follow the log: the lines written since the last
 * event, batched (at most one event per `flushMs`, at most `maxLines` lines in one; the rest are
 * counted as `missed`, and the client asks `logs.tail` with its cursor for them). Nothing is
 * buffered while nobody follows, so memory stays bounded by the batch cap.
 *
 * Who may follow is decided by the caller (`logs.tail` needs operator.admin); the gateway drops a
 * follower whose session closes or loses the scope (src/gateway/logs.ts).
 */
import type { LogLine, LogsLineEvent } from '../protocol/logs.js';
import type { LogRing } from './ring.js';

export const LOG_FLUSH_MS = 250;
export const LOG_EVENT_MAX_LINES = 200;
/** Sessions that may follow at once: an admin opening tabs in a loop cannot make every line fan out without end. */
export const MAX_FOLLOWERS = 64;

export type FollowerSend = (payload: LogsLineEvent) => void;

export interface FollowOptions {
  flushMs?: number;
  maxLines?: number;
  maxFollowers?: number;
}

export class LogFollowers {
  private readonly followers = new Map<string, FollowerSend>();
  private batch: LogLine[] = [];
  private missed = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly stop: () => void;
  private readonly flushMs: number;
  private readonly maxLines: number;
  private readonly maxFollowers: number;

  constructor(private readonly ring: LogRing, opts: FollowOptions = {}) {
    this.flushMs = opts.flushMs ?? LOG_FLUSH_MS;
    this.maxLines = opts.maxLines ?? LOG_EVENT_MAX_LINES;
    this.maxFollowers = opts.maxFollowers ?? MAX_FOLLOWERS;
    this.stop = ring.onLine((line) => this.push(line));
  }

  /**
   * Starts sending `logs.line` events to the session `connId` (replacing its sender if it already
   * follows). False when MAX_FOLLOWERS sessions already follow: it can still poll.
   */
  follow(connId: string, send: FollowerSend): boolean {
    if (!this.followers.has(connId) && this.followers.size >= this.maxFollowers) return false;
    this.followers.set(connId, send);
    return true;
  }

  unfollow(connId: string): void {
    this.followers.delete(connId);
    if (this.followers.size === 0) this.discard();
  }

  has(connId: string): boolean {
    return this.followers.has(connId);
  }

  get size(): number {
    return this.followers.size;
  }

  private push(line: LogLine): void {
    if (this.followers.size === 0) return;
    if (this.batch.length < this.maxLines) this.batch.push(line);
    else this.missed++;
    this.timer ??= setTimeout(() => this.flush(), this.flushMs).unref();
  }

  /** Sends the batch to every follower now (the timer does this every flushMs). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const lines = this.batch;
    const missed = this.missed;
    this.batch = [];
    this.missed = 0;
    if (!lines.length) return;
    const payload: LogsLineEvent = { lines, cursor: this.ring.cursor, missed };
    // A copy: a send that closes a session (a slow consumer) logs, and may unfollow.
    for (const send of [...this.followers.values()]) send(payload);
  }

  private discard(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.batch = [];
    this.missed = 0;
  }

  close(): void {
    this.discard();
    this.followers.clear();
    this.stop();
  }
}
