/**
 * The sessions the chat view lists: loaded from the gateway a page at a time (the person's own, or
 * for an admin who switched to them everyone's; older pages on request), kept most recently active
 * first, and created, renamed and deleted through the gateway; the element (`host`) re-renders
 * when they change. The list's rules are the pure functions of ui/src/chat/sessions.ts and owners.ts.
 */
import type { ReactiveControllerHost } from 'lit';
import type { GatewayClient } from '../client.js';
import type { ResponseError } from '../protocol.js';
import { listingFor, listParams, type Listing } from '../chat/owners.js';
import { neighbourOf, removeSession, touchSession, upsertSession, withFirstPage, withOlderPage, type PagedSessions } from '../chat/sessions.js';
import type { SessionsPage, WireSession } from '../chat/wire.js';

type Answer<T> = { ok: true; payload: T } | { ok: false };

/** What the controller needs of the element: the connection, and its way of explaining a refusal. */
export interface ChatSessionsDeps {
  client(): Pick<GatewayClient, 'request'> | undefined;
  /** Sends a request; a refusal is explained on the page and answered `{ok: false}`. */
  request<T>(method: string, params?: unknown): Promise<Answer<T>>;
  explain(method: string, error: ResponseError): void;
}

export class ChatSessions {
  private sessions: WireSession[] = [];
  /** Where the next older page continues; undefined when every page is listed (or none yet). */
  private next: string | undefined;
  private listing: Listing = 'own';
  /** Whose sessions `sessions` holds (a switch keeps the old ones on screen until the new ones come). */
  private listed: Listing | undefined;
  private loading: { whose: Listing; done: Promise<void> } | undefined;
  private loadingOlder: Promise<void> | undefined;

  constructor(
    private readonly host: Pick<ReactiveControllerHost, 'requestUpdate'>,
    private readonly deps: ChatSessionsDeps,
  ) {}

  /** Most recently active first. */
  get list(): readonly WireSession[] {
    return this.sessions;
  }

  /** Whose sessions are listed. */
  get whose(): Listing {
    return this.listing;
  }

  /** Older sessions wait on the gateway: the list offers "Show older sessions". */
  get hasOlder(): boolean {
    return this.next !== undefined;
  }

  /** An older page is on its way. */
  get olderLoading(): boolean {
    return this.loadingOlder !== undefined;
  }

  find(key: string | undefined): WireSession | undefined {
    return key === undefined ? undefined : this.sessions.find((s) => s.key === key);
  }

  private set(list: WireSession[]): void {
    this.sessions = list;
    this.host.requestUpdate();
  }

  private setPaged(whose: Listing, paged: PagedSessions): void {
    this.listed = whose;
    this.next = paged.next;
    this.set(paged.list);
  }

  /**
   * Lists the newest page of sessions (older pages already shown stay below it); calls while a
   * listing of the same ones is on its way share it (events come many a second).
   */
  load(): Promise<void> {
    const client = this.deps.client();
    const whose = this.listing;
    if (!client) return Promise.resolve();
    if (this.loading?.whose === whose) return this.loading.done;
    const loading = {
      whose,
      done: client
        .request<SessionsPage>('sessions.list', listParams(whose))
        .then((r) => {
          // A listing switched away from (or whose scope was lost) meanwhile is dropped, refusal included.
          if (this.listing !== whose) return;
          // Another listing's sessions are replaced, not merged.
          const shown: PagedSessions = this.listed === whose ? { list: this.sessions, next: this.next } : { list: [], next: undefined };
          if (r.ok) this.setPaged(whose, withFirstPage(shown, r.payload));
          else this.deps.explain('sessions.list', r.error);
        })
        .finally(() => {
          if (this.loading === loading) this.loading = undefined;
        }),
    };
    this.loading = loading;
    return loading.done;
  }

  /** Loads the next older page below the sessions listed (once at a time; nothing when there is none). */
  loadOlder(): Promise<void> {
    const client = this.deps.client();
    const whose = this.listing;
    const before = this.next;
    if (!client || before === undefined || this.listed !== whose) return Promise.resolve();
    if (this.loadingOlder) return this.loadingOlder;
    const done = client
      .request<SessionsPage>('sessions.list', { ...listParams(whose), before })
      .then((r) => {
        // Dropped when the listing was switched meanwhile, or the list moved past this cursor.
        if (this.listing !== whose || this.listed !== whose || this.next !== before) return;
        if (r.ok) this.setPaged(whose, withOlderPage({ list: this.sessions, next: this.next }, r.payload));
        else this.deps.explain('sessions.list', r.error);
      })
      .finally(() => {
        if (this.loadingOlder === done) this.loadingOlder = undefined;
        this.host.requestUpdate();
      });
    this.loadingOlder = done;
    this.host.requestUpdate();
    return done;
  }

  /** Switches whose sessions are listed (everyone's only for an admin) and lists them. */
  async switchTo(wanted: Listing, admin: boolean): Promise<void> {
    const whose = listingFor(wanted, admin);
    // The older pages of the other listing are not this one's.
    if (whose !== this.listing) this.next = undefined;
    this.listing = whose;
    this.host.requestUpdate();
    await this.load();
  }

  /** A session has just had a message: it moves to the top. */
  touch(key: string, at: number): void {
    this.set(touchSession(this.sessions, key, at));
  }

  async create(title?: string): Promise<WireSession | undefined> {
    const r = await this.deps.request<WireSession | { session: WireSession }>('sessions.create', title ? { title } : {});
    if (!r.ok) return undefined;
    const s = 'session' in r.payload ? r.payload.session : r.payload;
    this.set(upsertSession(this.sessions, s));
    return s;
  }

  async rename(key: string, title: string): Promise<void> {
    const r = await this.deps.request<WireSession | { session: WireSession }>('sessions.rename', { sessionKey: key, title });
    if (!r.ok) return;
    const s = r.payload && 'session' in r.payload ? r.payload.session : (r.payload as WireSession | undefined);
    const old = this.find(key);
    if (old) this.set(this.sessions.map((x) => (x.key === key ? { ...old, ...(s?.key === key ? s : {}), title } : x)));
  }

  /** Deletes a session; answers the one to show next (`undefined`: none left), or false when refused. */
  async remove(key: string): Promise<{ next: string | undefined } | false> {
    const r = await this.deps.request('sessions.delete', { sessionKey: key });
    if (!r.ok) return false;
    const next = neighbourOf(this.sessions, key);
    this.set(removeSession(this.sessions, key));
    return { next };
  }
}
