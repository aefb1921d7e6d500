/**
 * Flood control for sign-in decisions: what to write, decided over plain events, with no clock
 * and no I/O (the recorder in recorder.ts owns the timer and the database).
 *
 * Within an aggregation window, the first admission of each (user, method) and the first refusal
 * of each (reason, peer, claimed user) is written at once, so an operator sees it as it happens;
 * later ones are only counted, and `flush` sums each group into one `*.aggregate` entry. Single
 * entries and per-group summaries both draw on a per-minute budget (one for admissions, one for
 * refusals); past it, events are still counted, and each flush sums every group left over into
 * one flood summary (actor `system`) listing the largest groups. So a flood of refusals, however
 * many addresses and names it uses, writes at most `refusalsPerMinute` entries a minute plus one
 * summary per window, and memory holds at most {@link MAX_TRACKED_GROUPS} groups.
 */
import type { AuthMode } from '../config/schema.js';
import {
  MAX_GROUP_PEERS,
  MAX_SUMMARY_GROUPS,
  type Actor,
  type AdmitGroup,
  type JournalInput,
  type RefuseGroup,
  type Surface,
} from './types.js';

export interface FloodPolicy {
  /** How long events are counted before a flush sums them. */
  windowMs: number;
  /** Single admissions and per-person admission summaries written per minute, at most. */
  admissionsPerMinute: number;
  /** Single refusals and per-group refusal summaries written per minute, at most. */
  refusalsPerMinute: number;
}

export interface AdmitEvent {
  user: string | null;
  method: AuthMode;
  surface: Surface;
  peer: string;
  time: number;
}

export interface RefuseEvent {
  /** The reason code. */
  reason: string;
  /** The header or `why` the reason carries. */
  detail?: string;
  /** The identity the request asserted (unverified), or null. */
  claimedUser: string | null;
  surface: Surface;
  peer: string;
  time: number;
}

/** Distinct groups counted per window, per kind; events past it are counted by reason only. */
export const MAX_TRACKED_GROUPS = 10_000;
/** Longest name or address recorded; longer ones (a client can send any header) are cut. */
export const MAX_NAME_CHARS = 256;

const MINUTE_MS = 60_000;

/** Cuts a client-supplied string to {@link MAX_NAME_CHARS}, marking the cut. */
export function clip(s: string): string {
  return s.length <= MAX_NAME_CHARS ? s : `${s.slice(0, MAX_NAME_CHARS - 1)}…`;
}

/** Entries allowed per minute: a counter reset one minute after it started counting. */
class Budget {
  private start = -Infinity;
  private used = 0;
  constructor(public cap: number) {}
  take(now: number): boolean {
    if (now - this.start >= MINUTE_MS || now < this.start) {
      this.start = now;
      this.used = 0;
    }
    if (this.used >= this.cap) return false;
    this.used++;
    return true;
  }
}

interface Counted {
  count: number;
  firstAt: number;
  lastAt: number;
  http: number;
  ws: number;
}

interface AdmitState extends Counted {
  user: string | null;
  method: AuthMode;
  peers: string[];
  morePeers: number;
}

interface RefuseState extends Counted {
  reason: string;
  claimedUser: string | null;
  peer: string;
}

const newCounted = (): Counted => ({ count: 0, firstAt: 0, lastAt: 0, http: 0, ws: 0 });

function count(s: Counted, time: number, surface: Surface): void {
  if (s.count === 0) s.firstAt = time;
  s.count++;
  s.lastAt = time;
  if (surface === 'http') s.http++;
  else s.ws++;
}

const admitActor = (user: string | null): Actor => (user === null ? { type: 'client' } : { type: 'user', id: user });
const refuseActor = (claimed: string | null): Actor => (claimed === null ? { type: 'anonymous' } : { type: 'claimed', id: claimed });

const admitGroup = (s: AdmitState): AdmitGroup => ({
  user: s.user,
  method: s.method,
  count: s.count,
  firstAt: s.firstAt,
  lastAt: s.lastAt,
  peers: s.peers,
  morePeers: s.morePeers,
  surfaces: { http: s.http, ws: s.ws },
});

const refuseGroup = (s: RefuseState): RefuseGroup => ({
  reason: s.reason,
  claimedUser: s.claimedUser,
  peer: s.peer,
  count: s.count,
  firstAt: s.firstAt,
  lastAt: s.lastAt,
  surfaces: { http: s.http, ws: s.ws },
});

export class AuthAggregator {
  private windowStart: number;
  /**
   * Admission groups by method, then user (null: a client without a name; Map keys may be null).
   * No key string is built: this runs on every admitted request.
   */
  private admits = new Map<AuthMode, Map<string | null, AdmitState>>();
  private admitGroups = 0;
  private refusals = new Map<string, RefuseState>();
  /** Events past MAX_TRACKED_GROUPS: counted without their group. */
  private untrackedAdmits = 0;
  private untrackedRefusals = new Map<string, number>();
  private readonly admitBudget: Budget;
  private readonly refuseBudget: Budget;

  constructor(private policy: FloodPolicy, start: number) {
    this.windowStart = start;
    this.admitBudget = new Budget(policy.admissionsPerMinute);
    this.refuseBudget = new Budget(policy.refusalsPerMinute);
  }

  /** A changed policy (config reload): takes effect for the next decision. */
  setPolicy(policy: FloodPolicy): void {
    this.policy = policy;
    this.admitBudget.cap = policy.admissionsPerMinute;
    this.refuseBudget.cap = policy.refusalsPerMinute;
  }

  get windowMs(): number {
    return this.policy.windowMs;
  }

  /** An admission: the entry to write now, or undefined when it is only counted. */
  admit(e: AdmitEvent): JournalInput | undefined {
    return this.admitValues(e.user, e.method, e.peer, e.surface, e.time);
  }

  /**
   * {@link admit} over plain values: what the gateway calls on every admitted request, so that
   * counting one allocates nothing.
   */
  admitValues(rawUser: string | null, method: AuthMode, rawPeer: string, surface: Surface, time: number): JournalInput | undefined {
    const user = rawUser === null ? null : clip(rawUser);
    const peer = clip(rawPeer);
    let byUser = this.admits.get(method);
    if (!byUser) this.admits.set(method, (byUser = new Map()));
    let s = byUser.get(user);
    if (!s) {
      if (this.admitGroups >= MAX_TRACKED_GROUPS) {
        this.untrackedAdmits++;
        return undefined;
      }
      s = { ...newCounted(), user, method, peers: [], morePeers: 0 };
      byUser.set(user, s);
      this.admitGroups++;
      if (this.admitBudget.take(time)) {
        return { kind: 'auth.admit', actor: admitActor(user), time, payload: { user, method, surface, peer } };
      }
    }
    count(s, time, surface);
    if (!s.peers.includes(peer)) {
      if (s.peers.length < MAX_GROUP_PEERS) s.peers.push(peer);
      else s.morePeers++;
    }
    return undefined;
  }

  /** A refusal: the entry to write now, or undefined when it is only counted. */
  refuse(e: RefuseEvent): JournalInput | undefined {
    const claimedUser = e.claimedUser === null ? null : clip(e.claimedUser);
    const peer = clip(e.peer);
    const key = `${e.reason}\u0000${peer}\u0000${claimedUser ?? ''}\u0000${claimedUser === null ? 'none' : 'claimed'}`;
    let s = this.refusals.get(key);
    if (!s) {
      if (this.refusals.size >= MAX_TRACKED_GROUPS) {
        this.untrackedRefusals.set(e.reason, (this.untrackedRefusals.get(e.reason) ?? 0) + 1);
        return undefined;
      }
      s = { ...newCounted(), reason: e.reason, claimedUser, peer };
      this.refusals.set(key, s);
      if (this.refuseBudget.take(e.time)) {
        const detail = e.detail === undefined ? undefined : clip(e.detail);
        return { kind: 'auth.refuse', actor: refuseActor(claimedUser), time: e.time, payload: { reason: e.reason, detail, claimedUser, surface: e.surface, peer } };
      }
    }
    count(s, e.time, e.surface);
    return undefined;
  }

  /** Ends the window at `now`: the summaries to write. Starts the next window. */
  flush(now: number): JournalInput[] {
    const windowStart = this.windowStart;
    const windowEnd = now;
    const out: JournalInput[] = [];

    const admits = [...this.admits.values()].flatMap((m) => [...m.values()]).filter((s) => s.count > 0).sort((a, b) => b.count - a.count);
    const admitLeft: AdmitGroup[] = [];
    for (const s of admits) {
      if (this.admitBudget.take(now)) {
        out.push({ kind: 'auth.admit.aggregate', actor: admitActor(s.user), time: now, payload: { windowStart, windowEnd, groups: [admitGroup(s)], omitted: { groups: 0, count: 0 } } });
      } else admitLeft.push(admitGroup(s));
    }
    if (admitLeft.length || this.untrackedAdmits) {
      const listed = admitLeft.slice(0, MAX_SUMMARY_GROUPS);
      const rest = admitLeft.slice(MAX_SUMMARY_GROUPS);
      out.push({
        kind: 'auth.admit.aggregate',
        actor: { type: 'system' },
        time: now,
        payload: { windowStart, windowEnd, groups: listed, omitted: { groups: rest.length, count: rest.reduce((n, g) => n + g.count, 0) + this.untrackedAdmits } },
      });
    }

    const refusals = [...this.refusals.values()].filter((s) => s.count > 0).sort((a, b) => b.count - a.count);
    const refuseLeft: RefuseGroup[] = [];
    for (const s of refusals) {
      if (this.refuseBudget.take(now)) {
        out.push({
          kind: 'auth.refuse.aggregate',
          actor: refuseActor(s.claimedUser),
          time: now,
          payload: { windowStart, windowEnd, groups: [refuseGroup(s)], omitted: { groups: 0, count: 0 }, omittedByReason: {} },
        });
      } else refuseLeft.push(refuseGroup(s));
    }
    if (refuseLeft.length || this.untrackedRefusals.size) {
      const listed = refuseLeft.slice(0, MAX_SUMMARY_GROUPS);
      const rest = refuseLeft.slice(MAX_SUMMARY_GROUPS);
      const byReason = new Map(this.untrackedRefusals);
      for (const g of rest) byReason.set(g.reason, (byReason.get(g.reason) ?? 0) + g.count);
      let omittedCount = 0;
      for (const n of byReason.values()) omittedCount += n;
      out.push({
        kind: 'auth.refuse.aggregate',
        actor: { type: 'system' },
        time: now,
        payload: { windowStart, windowEnd, groups: listed, omitted: { groups: rest.length, count: omittedCount }, omittedByReason: Object.fromEntries(byReason) },
      });
    }

    this.admits = new Map();
    this.admitGroups = 0;
    this.refusals = new Map();
    this.untrackedAdmits = 0;
    this.untrackedRefusals = new Map();
    this.windowStart = now;
    return out;
  }
}
