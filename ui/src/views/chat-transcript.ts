/**
 * The session in view and its transcript: the newest page of history when a session is shown,
 * older pages on request, the `chat` events of its answers applied in `seq` order, and the person's
 * messages from the moment they are sent until the gateway answers; the element (`host`) re-renders
 * when they change. The transcript's rules are the pure functions of ui/src/chat/transcript.ts.
 */
import type { ReactiveControllerHost } from 'lit';
import { addSending, applyEvent, dropEntry, emptyTranscript, sendAccepted, streamingRun, withHistory, withOlder, type Transcript } from '../chat/transcript.js';
import type { ChatEvent, HistoryPage } from '../chat/wire.js';

/** How many messages one history page asks for. */
const PAGE = 100;

/** How long after an answer to another tab's message the history is reloaded (its events come many a second). */
const RELOAD_DELAY_MS = 50;

type Answer<T> = { ok: true; payload: T } | { ok: false };

/** What the controller needs of the element: its way of sending a request and explaining a refusal. */
export interface ChatTranscriptDeps {
  /** Sends a request; a refusal is explained on the page and answered `{ok: false}`. */
  request<T>(method: string, params?: unknown): Promise<Answer<T>>;
}

export class ChatTranscript {
  private key: string | undefined;
  private shown: Transcript = emptyTranscript();
  /** Sends of this page still waiting for their reply (their answers need no history reload). */
  private sending = 0;
  private historyTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly host: Pick<ReactiveControllerHost, 'requestUpdate'>,
    private readonly deps: ChatTranscriptDeps,
  ) {}

  /** The session in view. */
  get current(): string | undefined {
    return this.key;
  }

  get transcript(): Transcript {
    return this.shown;
  }

  /** The answer streaming now, if any (the Stop button aborts its run). */
  get running(): string | undefined {
    return streamingRun(this.shown);
  }

  private set(t: Transcript): void {
    if (t === this.shown) return;
    this.shown = t;
    this.host.requestUpdate();
  }

  /** Puts a session in view (none: `undefined`) and loads its newest messages. */
  async show(key: string | undefined): Promise<void> {
    this.key = key;
    this.host.requestUpdate();
    if (!key) {
      this.set(emptyTranscript());
      return;
    }
    if (this.shown.sessionKey !== key) this.set(emptyTranscript(key));
    await this.loadHistory(key);
  }

  private async loadHistory(key: string): Promise<void> {
    const r = await this.deps.request<HistoryPage>('chat.history', { sessionKey: key, limit: PAGE });
    if (r.ok && this.key === key) this.set(withHistory(this.shown, key, r.payload));
  }

  /** Loads the page of messages before the oldest shown. */
  async loadOlder(): Promise<void> {
    const key = this.key;
    const before = this.shown.before;
    if (!key || before === undefined) return;
    const r = await this.deps.request<HistoryPage>('chat.history', { sessionKey: key, limit: PAGE, before });
    if (r.ok && this.key === key) this.set(withOlder(this.shown, r.payload));
  }

  /** A `chat` event (of any session: those of others change nothing here). */
  apply(ev: ChatEvent): void {
    const { transcript, newRun } = applyEvent(this.shown, ev);
    this.set(transcript);
    // An answer to a message sent from another tab: the history has the message it answers.
    if (newRun && this.sending === 0) this.reloadHistorySoon(ev.sessionKey);
  }

  private reloadHistorySoon(key: string): void {
    clearTimeout(this.historyTimer);
    this.historyTimer = setTimeout(() => {
      if (this.key === key) void this.loadHistory(key);
    }, RELOAD_DELAY_MS);
  }

  /**
   * Sends `text` into session `key`, shown at once as `author`'s. Answers the session the gateway
   * ran it in, or undefined when refused (the message leaves the transcript; the caller gives the
   * text back to the person).
   */
  async send(key: string, text: string, author: string): Promise<{ sessionKey: string } | undefined> {
    const localId = crypto.randomUUID();
    this.sending++;
    this.set(addSending(this.shown, localId, text, author));
    try {
      const r = await this.deps.request<{ runId: string; sessionKey: string }>('chat.send', { sessionKey: key, message: text, idempotencyKey: localId });
      if (!r.ok) {
        this.set(dropEntry(this.shown, `u:${localId}`));
        return undefined;
      }
      this.set(sendAccepted(this.shown, localId, r.payload.runId, r.payload.sessionKey));
      return { sessionKey: r.payload.sessionKey };
    } finally {
      this.sending--;
    }
  }

  /** Aborts the answer streaming now, if any. */
  async stop(): Promise<void> {
    const runId = this.running;
    if (runId) await this.deps.request('chat.abort', { runId });
  }

  /** The element left the page: no history reload is left pending. */
  dispose(): void {
    clearTimeout(this.historyTimer);
  }
}
