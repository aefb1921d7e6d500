/**
 * <mayros-chat>: the chat view. Lists the person's sessions (new, rename, delete), shows the
 * transcript of one with the answer streaming in, and sends from the composer (Enter sends,
 * Shift+Enter is a new line); Stop aborts the answer. The state changes are the pure functions of
 * ui/src/chat/; this element only calls the gateway and renders.
 *
 * A person without operator.write reads their sessions but gets no composer and no session
 * buttons (the gateway refuses those methods anyway).
 */
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { allows } from '../scopes.js';
import type { EventFrame } from '../protocol.js';
import type { RequestRefusal } from '../refusal.js';
import type { ViewHost } from './tabs.js';
import { composerKey, sendable } from '../chat/composer.js';
import { explainChat } from '../chat/explain.js';
import { modelsView, type ModelsView } from '../chat/models.js';
import { neighbourOf, removeSession, sortSessions, titleFrom, touchSession, upsertSession } from '../chat/sessions.js';
import { addSending, applyEvent, dropEntry, emptyTranscript, sendAccepted, streamingRun, withHistory, withOlder, type Transcript } from '../chat/transcript.js';
import type { ChatEvent, HistoryPage, WireSession } from '../chat/wire.js';
import { chatStyles } from './chat-styles.js';
import { composer, entryView, modelsNote, refusalNote, sessionList } from './chat-parts.js';

/** How many messages one history page asks for. */
const PAGE = 100;

export class MayrosChat extends LitElement {
  static override styles = chatStyles;
  static override properties = {
    host: { attribute: false },
    sessions: { state: true },
    current: { state: true },
    transcript: { state: true },
    models: { state: true },
    problem: { state: true },
    renaming: { state: true },
    loading: { state: true },
  };

  declare host: ViewHost | undefined;
  declare sessions: WireSession[];
  /** The session in view. */
  declare current: string | undefined;
  declare transcript: Transcript;
  declare models: ModelsView;
  /** The last refused request or failed load, explained, until dismissed or the next success. */
  declare problem: RequestRefusal | undefined;
  /** The session whose title is being edited. */
  declare renaming: string | undefined;
  declare loading: boolean;

  private unsubscribe: (() => void) | undefined;
  /** Sends of this page still waiting for their reply (their answers need no history reload). */
  private sending = 0;
  private historyTimer: ReturnType<typeof setTimeout> | undefined;
  private wasConnected = false;
  private listing: Promise<void> | undefined;

  constructor() {
    super();
    this.host = undefined;
    this.sessions = [];
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

  private async request<T>(method: string, params?: unknown): Promise<{ ok: true; payload: T } | { ok: false }> {
    const host = this.host;
    if (!host) return { ok: false };
    const r = await host.client.request<T>(method, params);
    if (r.ok) return r;
    this.problem = explainChat(r.error.reason ?? 'internal', `${method}: ${r.error.message}`);
    if (r.error.reason === 'models_not_configured') this.models = { state: 'unconfigured' };
    return { ok: false };
  }

  private async loadAll(): Promise<void> {
    this.loading = true;
    await Promise.all([this.loadSessions(), this.loadModels()]);
    const keep = this.current && this.sessions.some((s) => s.key === this.current) ? this.current : this.sessions[0]?.key;
    await this.show(keep);
    this.loading = false;
  }

  /** Lists the sessions; calls while a listing is on its way share it (events come many a second). */
  private loadSessions(): Promise<void> {
    this.listing ??= this.request<{ sessions: WireSession[] }>('sessions.list', {})
      .then((r) => {
        if (r.ok) this.sessions = sortSessions(r.payload.sessions);
      })
      .finally(() => (this.listing = undefined));
    return this.listing;
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
    if (!this.sessions.some((s) => s.key === ev.sessionKey)) {
      // A session made in another tab: list it.
      void this.loadSessions();
    } else if (ev.seq === 0) {
      this.sessions = touchSession(this.sessions, ev.sessionKey, Date.now());
    }
    const { transcript, newRun } = applyEvent(this.transcript, ev);
    this.transcript = transcript;
    // An answer to a message sent from another tab: the history has the message it answers.
    if (newRun && this.sending === 0) this.reloadHistorySoon(ev.sessionKey);
    if (ev.state !== 'delta') void this.loadSessions(); // titles and order after the end
  }

  private reloadHistorySoon(key: string): void {
    clearTimeout(this.historyTimer);
    this.historyTimer = setTimeout(() => {
      if (this.current === key) void this.loadHistory(key);
    }, 50);
  }

  private async newSession(title?: string): Promise<WireSession | undefined> {
    const r = await this.request<WireSession | { session: WireSession }>('sessions.create', title ? { title } : {});
    if (!r.ok) return undefined;
    const s = 'session' in r.payload ? r.payload.session : r.payload;
    this.sessions = upsertSession(this.sessions, s);
    this.problem = undefined;
    await this.show(s.key);
    this.composerField()?.focus();
    return s;
  }

  private async rename(key: string, title: string): Promise<void> {
    this.renaming = undefined;
    const r = await this.request<WireSession | { session: WireSession }>('sessions.rename', { sessionKey: key, title });
    if (!r.ok) return;
    const s = r.payload && 'session' in r.payload ? r.payload.session : (r.payload as WireSession | undefined);
    const old = this.sessions.find((x) => x.key === key);
    if (old) this.sessions = this.sessions.map((x) => (x.key === key ? { ...old, ...(s?.key === key ? s : {}), title } : x));
  }

  private async deleteSession(key: string): Promise<void> {
    const s = this.sessions.find((x) => x.key === key);
    if (!confirm(`Delete "${s?.title.trim() || 'New chat'}" and all its messages? This cannot be undone.`)) return;
    const r = await this.request('sessions.delete', { sessionKey: key });
    if (!r.ok) return;
    const next = neighbourOf(this.sessions, key);
    this.sessions = removeSession(this.sessions, key);
    if (this.current === key) await this.show(next);
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
    if (!field || !sendable(text) || streamingRun(this.transcript)) return;
    let key = this.current;
    if (!key) key = (await this.newSession(titleFrom(text)))?.key;
    if (!key) return;
    const localId = crypto.randomUUID();
    field.value = '';
    this.sending++;
    this.transcript = addSending(this.transcript, localId, text, this.host?.hello.identity.user ?? undefined);
    try {
      const r = await this.request<{ runId: string; sessionKey: string }>('chat.send', { sessionKey: key, message: text, idempotencyKey: localId });
      if (r.ok) {
        this.problem = undefined;
        this.transcript = sendAccepted(this.transcript, localId, r.payload.runId, r.payload.sessionKey);
        this.sessions = touchSession(this.sessions, r.payload.sessionKey, Date.now());
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
    if (runId) await this.request('chat.abort', { runId });
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
    const running = streamingRun(this.transcript);
    const current = this.sessions.find((s) => s.key === this.current);
    return html`<div class="chat" data-session=${this.current ?? ''} data-loaded=${this.loading ? 'false' : 'true'}>
      ${sessionList({
        sessions: this.sessions,
        current: this.current,
        renaming: this.renaming,
        canWrite: write,
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
        <ol class="transcript" aria-live="polite" aria-busy=${running ? 'true' : 'false'}>
          ${this.transcript.before !== undefined ? html`<li class="older"><button type="button" class="secondary" @click=${() => void this.loadOlder()}>Show earlier messages</button></li>` : nothing}
          ${this.transcript.entries.map((e) => entryView(e))}
          ${!this.loading && this.transcript.entries.length === 0
            ? html`<li class="empty muted">${write ? (this.models.state === 'unconfigured' ? 'Chat needs a model server first (above).' : 'Write a message below to start.') : this.sessions.length ? 'No messages in this session.' : 'You have no chat sessions yet.'}</li>`
            : nothing}
        </ol>
        ${write
          ? composer({ running: running !== undefined, connected: host.connected, onKey: (ev) => this.onKey(ev), onSend: () => void this.send(), onStop: () => void this.stop() })
          : html`<p class="read-only muted small">You can read your sessions here. Sending needs <code>operator.write</code>, which your sign-in does not have.</p>`}
      </section>
    </div>`;
  }
}

customElements.define('mayros-chat', MayrosChat);
