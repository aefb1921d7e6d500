/**
 * <mayros-chat>: the chat view. Lists the person's sessions (new, rename, delete), shows the
 * transcript of one with the answer streaming in, and sends from the composer (Enter sends,
 * Shift+Enter is a new line); Stop aborts the answer. The state changes are the pure functions of
 * ui/src/chat/; this element only calls the gateway and renders. The session list's state is
 * chat-sessions.ts (a controller), its template chat-session-list.ts.
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
import { explainChat } from '../chat/explain.js';
import { modelsView, type ModelsView } from '../chat/models.js';
import { accessTo, listingFor, type Access, type Listing } from '../chat/owners.js';
import { titleFrom } from '../chat/sessions.js';
import { addSending, applyEvent, dropEntry, emptyTranscript, sendAccepted, streamingRun, withHistory, withOlder, type Transcript } from '../chat/transcript.js';
import type { ChatEvent, HistoryPage } from '../chat/wire.js';
import { chatStyles } from './chat-styles.js';
import { footer, modelsNote, refusalNote, transcriptList } from './chat-parts.js';
import { sessionList } from './chat-session-list.js';
import { ChatSessions } from './chat-sessions.js';

/** How many messages one history page asks for. */
const PAGE = 100;

export class MayrosChat extends LitElement {
  static override styles = chatStyles;
  static override properties = {
    host: { attribute: false },
    current: { state: true },
    transcript: { state: true },
    models: { state: true },
    problem: { state: true },
    renaming: { state: true },
    loading: { state: true },
  };

  declare host: ViewHost | undefined;
  /** The session in view. */
  declare current: string | undefined;
  declare transcript: Transcript;
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

  private unsubscribe: (() => void) | undefined;
  /** Sends of this page still waiting for their reply (their answers need no history reload). */
  private sending = 0;
  private historyTimer: ReturnType<typeof setTimeout> | undefined;
  private wasConnected = false;

  constructor() {
    super();
    this.host = undefined;
    this.current = undefined;
    this.transcript = emptyTranscript();
    this.models = { state: 'loading' };
    this.problem = undefined;
    this.renaming = undefined;
    this.loading = true;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearTimeout(this.historyTimer);
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
    return accessTo(this.sessions.find(this.current), this.self, this.canWrite);
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
    await this.show(this.sessions.find(this.current) ? this.current : this.sessions.list[0]?.key);
    this.loading = false;
  }

  /** Lists everyone's sessions or the person's own, keeping the session in view when it is still listed. */
  private async setWhose(whose: Listing): Promise<void> {
    const switching = this.sessions.switchTo(whose, this.admin);
    // Back to their own: another person's transcript leaves the screen at once.
    if (this.access.kind === 'others' && this.sessions.whose === 'own') await this.show(undefined);
    await switching;
    if (!this.sessions.find(this.current)) await this.show(this.sessions.list[0]?.key);
  }

  private async loadModels(): Promise<void> {
    const host = this.host;
    if (!host) return;
    const r = await host.client.request<unknown>('models.list', {});
    this.models = modelsView(r);
  }

  /** Puts a session in view and loads its newest messages. */
  private async show(key: string | undefined): Promise<void> {
    this.current = key;
    this.renaming = undefined;
    if (!key) {
      this.transcript = emptyTranscript();
      return;
    }
    if (this.transcript.sessionKey !== key) this.transcript = emptyTranscript(key);
    await this.loadHistory(key);
  }

  private async loadHistory(key: string): Promise<void> {
    const r = await this.request<HistoryPage>('chat.history', { sessionKey: key, limit: PAGE });
    if (r.ok && this.current === key) this.transcript = withHistory(this.transcript, key, r.payload);
  }

  private async loadOlder(): Promise<void> {
    const key = this.current;
    const before = this.transcript.before;
    if (!key || before === undefined) return;
    const r = await this.request<HistoryPage>('chat.history', { sessionKey: key, limit: PAGE, before });
    if (r.ok && this.current === key) this.transcript = withOlder(this.transcript, r.payload);
  }

  private onEvent(e: EventFrame): void {
    if (e.event !== 'chat') return;
    const ev = e.payload as ChatEvent;
    if (!this.sessions.find(ev.sessionKey)) {
      // A session made in another tab: list it.
      void this.sessions.load();
    } else if (ev.seq === 0) {
      this.sessions.touch(ev.sessionKey, Date.now());
    }
    const { transcript, newRun } = applyEvent(this.transcript, ev);
    this.transcript = transcript;
    // An answer to a message sent from another tab: the history has the message it answers.
    if (newRun && this.sending === 0) this.reloadHistorySoon(ev.sessionKey);
    if (ev.state !== 'delta') void this.sessions.load(); // titles and order after the end
  }

  private reloadHistorySoon(key: string): void {
    clearTimeout(this.historyTimer);
    this.historyTimer = setTimeout(() => {
      if (this.current === key) void this.loadHistory(key);
    }, 50);
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
    if (done && this.current === key) await this.show(done.next);
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
    if (!field || !sendable(text) || streamingRun(this.transcript) || this.access.kind !== 'write') return;
    let key = this.current;
    if (!key) key = await this.newSession(titleFrom(text));
    if (!key) return;
    const localId = crypto.randomUUID();
    field.value = '';
    this.sending++;
    this.transcript = addSending(this.transcript, localId, text, this.self);
    try {
      const r = await this.request<{ runId: string; sessionKey: string }>('chat.send', { sessionKey: key, message: text, idempotencyKey: localId });
      if (r.ok) {
        this.problem = undefined;
        this.transcript = sendAccepted(this.transcript, localId, r.payload.runId, r.payload.sessionKey);
        this.sessions.touch(r.payload.sessionKey, Date.now());
      } else {
        // Not sent: the message goes back to the composer, nothing is lost.
        this.transcript = dropEntry(this.transcript, `u:${localId}`);
        if (!field.value) field.value = text;
      }
    } finally {
      this.sending--;
    }
  }

  private async stop(): Promise<void> {
    const runId = streamingRun(this.transcript);
    if (runId && this.access.kind === 'write') await this.request('chat.abort', { runId });
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('transcript')) {
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
    const running = streamingRun(this.transcript);
    const current = this.sessions.find(this.current);
    return html`<div class="chat" data-session=${this.current ?? ''} data-loaded=${this.loading ? 'false' : 'true'} data-listing=${this.sessions.whose}>
      ${sessionList({
        sessions: this.sessions.list,
        current: this.current,
        renaming: this.renaming,
        canWrite: write,
        admin: this.admin,
        listing: this.sessions.whose,
        self: this.self,
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
          transcript: this.transcript,
          running: running !== undefined,
          self: this.self,
          empty: this.loading ? undefined : access.kind === 'write' ? (this.models.state === 'unconfigured' ? 'Chat needs a model server first (above).' : 'Write a message below to start.') : this.sessions.list.length ? 'No messages in this session.' : 'You have no chat sessions yet.',
          onOlder: () => void this.loadOlder(),
        })}
        ${footer(access, { running: running !== undefined, connected: host.connected, onKey: (ev) => this.onKey(ev), onSend: () => void this.send(), onStop: () => void this.stop() })}
      </section>
    </div>`;
  }
}

customElements.define('mayros-chat', MayrosChat);
