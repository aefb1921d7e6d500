/**
 * <mayros-chat>: the chat view. Lists the person's sessions (new, rename, delete), shows the
 * transcript of one with the answer streaming in, and sends from the composer (Enter sends,
 * Shift+Enter is a new line); Stop aborts the answer. The state changes are the pure functions of
 * ui/src/chat/; this element only calls the gateway and renders. The session list's state is
 * chat-sessions.ts (a controller), its template chat-session-list.ts; the session in view and its
 * transcript (history, events, sends) are chat-transcript.ts (a controller).
 *
 * A person without operator.write reads their sessions but gets no composer and no session
 * buttons (the gateway refuses those methods anyway). An admin may switch the list to everyone's
 * sessions and read another person's, never send into it (ui/src/chat/owners.ts); a
 * session.updated that takes operator.admin away returns the list to their own.
 */
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { allows } from '../scopes.js';
import type { EventFrame, ResponseError } from '../protocol.js';
import { ownerOf } from '../../../src/protocol/owner.js';
import type { RequestRefusal } from '../refusal.js';
import type { ViewHost } from './tabs.js';
import { composerKey, sendable } from '../chat/composer.js';
import { emptyNote } from '../chat/empty.js';
import { explainChat } from '../chat/explain.js';
import { modelsView, type ModelsView } from '../chat/models.js';
import { accessTo, listingFor, type Access, type Listing } from '../chat/owners.js';
import { listAfterEvent, titleFrom } from '../chat/sessions.js';
import type { Transcript } from '../chat/transcript.js';
import type { ChatEvent } from '../chat/wire.js';
import { chatStyles } from './chat-styles.js';
import { footer, modelsNote, refusalNote, transcriptList } from './chat-parts.js';
import { sessionList } from './chat-session-list.js';
import { ChatSessions } from './chat-sessions.js';
import { ChatTranscript } from './chat-transcript.js';

export class MayrosChat extends LitElement {
  static override styles = chatStyles;
  static override properties = {
    host: { attribute: false },
    models: { state: true },
    problem: { state: true },
    renaming: { state: true },
    loading: { state: true },
  };

  declare host: ViewHost | undefined;
  declare models: ModelsView;
  /** The last refused request or failed load, explained, until dismissed or the next success. */
  declare problem: RequestRefusal | undefined;
  /** The session whose title is being edited. */
  declare renaming: string | undefined;
  declare loading: boolean;

  /** The sessions listed: the person's own, or for an admin who switched to them everyone's. */
  private readonly sessions = new ChatSessions(this, {
    client: () => this.host?.client,
    request: (method, params) => this.request(method, params),
    explain: (method, error) => this.explain(method, error),
  });

  /** The session in view and its transcript. */
  private readonly chat = new ChatTranscript(this, { request: (method, params) => this.request(method, params) });

  private unsubscribe: (() => void) | undefined;
  private wasConnected = false;
  /** The transcript last rendered (the view follows the answer when it changes). */
  private followed: Transcript | undefined;

  constructor() {
    super();
    this.host = undefined;
    this.models = { state: 'loading' };
    this.problem = undefined;
    this.renaming = undefined;
    this.loading = true;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.chat.dispose();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Back in the page (tab switched back): listen again and catch up.
    if (this.host && !this.unsubscribe) this.listen(this.host);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const host = this.host;
    if (!changed.has('host') || !host) return;
    // No longer an admin (session.updated): back to their own sessions, nobody else's left on screen.
    if (this.sessions.whose !== listingFor(this.sessions.whose, this.admin)) void this.setWhose('own');
    if (!this.unsubscribe) this.listen(host);
    else if (host.connected && !this.wasConnected) void this.loadAll(); // reconnected: events were missed
    this.wasConnected = host.connected;
  }

  private listen(host: ViewHost): void {
    this.unsubscribe = host.subscribe((e) => this.onEvent(e));
    this.wasConnected = host.connected;
    if (host.connected) void this.loadAll();
  }

  private get canWrite(): boolean {
    return this.host ? allows(this.host.scopes, 'operator.write') : false;
  }

  private get admin(): boolean {
    return this.host ? allows(this.host.scopes, 'operator.admin') : false;
  }

  /** The person's owner key, as the gateway keys sessions and authors. */
  private get self(): string {
    return this.host ? ownerOf(this.host.hello.identity) : '';
  }

  /** What the person may do in the session in view. */
  private get access(): Access {
    return accessTo(this.sessions.find(this.chat.current), this.self, this.canWrite);
  }

  private async request<T>(method: string, params?: unknown): Promise<{ ok: true; payload: T } | { ok: false }> {
    const host = this.host;
    if (!host) return { ok: false };
    const r = await host.client.request<T>(method, params);
    if (r.ok) return r;
    this.explain(method, r.error);
    return { ok: false };
  }

  private explain(method: string, error: ResponseError): void {
    this.problem = explainChat(error.reason ?? 'internal', `${method}: ${error.message}`);
    if (error.reason === 'models_not_configured') this.models = { state: 'unconfigured' };
  }

  private async loadAll(): Promise<void> {
    this.loading = true;
    await Promise.all([this.sessions.load(), this.loadModels()]);
    await this.show(this.sessions.find(this.chat.current) ? this.chat.current : this.sessions.list[0]?.key);
    this.loading = false;
  }

  /** Lists everyone's sessions or the person's own, keeping the session in view when it is still listed. */
  private async setWhose(whose: Listing): Promise<void> {
    const switching = this.sessions.switchTo(whose, this.admin);
    // Back to their own: another person's transcript leaves the screen at once.
    if (this.access.kind === 'others' && this.sessions.whose === 'own') await this.show(undefined);
    await switching;
    if (!this.sessions.find(this.chat.current)) await this.show(this.sessions.list[0]?.key);
  }

  private async loadModels(): Promise<void> {
    const host = this.host;
    if (!host) return;
    const r = await host.client.request<unknown>('models.list', {});
    this.models = modelsView(r);
  }

  /** Puts a session in view (the rename ends) and loads its newest messages. */
  private show(key: string | undefined): Promise<void> {
    this.renaming = undefined;
    return this.chat.show(key);
  }

  private onEvent(e: EventFrame): void {
    if (e.event !== 'chat') return;
    const ev = e.payload as ChatEvent;
    const { reload, touch } = listAfterEvent(ev, this.sessions.find(ev.sessionKey) !== undefined);
    if (touch) this.sessions.touch(ev.sessionKey, Date.now());
    this.chat.apply(ev);
    // A session made in another tab, or titles and order after the end of an answer.
    if (reload) void this.sessions.load();
  }

  private async newSession(title?: string): Promise<string | undefined> {
    const s = await this.sessions.create(title);
    if (!s) return undefined;
    this.problem = undefined;
    await this.show(s.key);
    this.composerField()?.focus();
    return s.key;
  }

  private async rename(key: string, title: string): Promise<void> {
    this.renaming = undefined;
    await this.sessions.rename(key, title);
  }

  private async deleteSession(key: string): Promise<void> {
    const s = this.sessions.find(key);
    if (!confirm(`Delete "${s?.title.trim() || 'New chat'}" and all its messages? This cannot be undone.`)) return;
    const done = await this.sessions.remove(key);
    if (done && this.chat.current === key) await this.show(done.next);
  }

  private composerField(): HTMLTextAreaElement | null {
    return this.renderRoot.querySelector<HTMLTextAreaElement>('textarea.composer');
  }

  private onKey(ev: KeyboardEvent): void {
    if (composerKey({ key: ev.key, shiftKey: ev.shiftKey, altKey: ev.altKey, ctrlKey: ev.ctrlKey, metaKey: ev.metaKey, isComposing: ev.isComposing || ev.keyCode === 229 }) !== 'send') return;
    ev.preventDefault();
    void this.send();
  }

  /** Sends the composer's text into the session in view (a new session when there is none). */
  async send(): Promise<void> {
    const field = this.composerField();
    const text = field?.value ?? '';
    // Never into another person's session (the gateway would refuse it: session_not_found).
    if (!field || !sendable(text) || this.chat.running || this.access.kind !== 'write') return;
    const key = this.chat.current || (await this.newSession(titleFrom(text)));
    if (!key) return;
    field.value = '';
    const sent = await this.chat.send(key, text, this.self);
    if (sent) {
      this.problem = undefined;
      this.sessions.touch(sent.sessionKey, Date.now());
    } else if (!field.value) {
      // Not sent: the message goes back to the composer, nothing is lost.
      field.value = text;
    }
  }

  private async stop(): Promise<void> {
    if (this.access.kind === 'write') await this.chat.stop();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (this.followed !== this.chat.transcript) {
      this.followed = this.chat.transcript;
      const list = this.renderRoot.querySelector('.transcript');
      // Follow the answer while the person is at the bottom; leave them where they scrolled to otherwise.
      if (list && list.scrollHeight - list.scrollTop - list.clientHeight < 120) list.scrollTop = list.scrollHeight;
    }
    if (changed.has('renaming') && this.renaming) this.renderRoot.querySelector<HTMLInputElement>('input.rename')?.select();
  }

  override render() {
    const host = this.host;
    if (!host) return nothing;
    const write = this.canWrite;
    const access = this.access;
    const running = this.chat.running;
    const current = this.sessions.find(this.chat.current);
    return html`<div class="chat" data-session=${this.chat.current ?? ''} data-loaded=${this.loading ? 'false' : 'true'} data-listing=${this.sessions.whose}>
      ${sessionList({
        sessions: this.sessions.list,
        current: this.chat.current,
        renaming: this.renaming,
        canWrite: write,
        admin: this.admin,
        listing: this.sessions.whose,
        self: this.self,
        hasOlder: this.sessions.hasOlder,
        olderLoading: this.sessions.olderLoading,
        onOlder: () => void this.sessions.loadOlder(),
        onListing: (w) => void this.setWhose(w),
        onSelect: (k) => void this.show(k),
        onNew: () => void this.newSession(),
        onRename: (k) => (this.renaming = k),
        onRenamed: (k, t) => void this.rename(k, t),
        onCancelRename: () => (this.renaming = undefined),
        onDelete: (k) => void this.deleteSession(k),
      })}
      <section class="conversation" aria-label=${current ? `Chat: ${current.title || 'New chat'}` : 'Chat'}>
        ${modelsNote(this.models)}
        ${this.problem ? refusalNote(this.problem, () => (this.problem = undefined)) : nothing}
        ${transcriptList({
          transcript: this.chat.transcript,
          running: running !== undefined,
          self: this.self,
          empty: emptyNote({ loading: this.loading, access, modelsUnconfigured: this.models.state === 'unconfigured', hasSessions: this.sessions.list.length > 0 }),
          onOlder: () => void this.chat.loadOlder(),
        })}
        ${footer(access, { running: running !== undefined, connected: host.connected, onKey: (ev) => this.onKey(ev), onSend: () => void this.send(), onStop: () => void this.stop() })}
      </section>
    </div>`;
  }
}

customElements.define('mayros-chat', MayrosChat);
