/**
 * Chat runs: a person's message stored, the model asked, its answer relayed piece by piece to
 * every connection of the session's owner (and nobody else) as `chat` events with a gap-free
 * `seq`, saved as it streams, and ended exactly once (final, aborted or error). The decisions
 * (limits, prompt, owner) are pure functions beside this file; this is the adapter that applies
 * them over the store and the provider client. One instance per gateway.
 */
import type { ChatConfig } from '../config/chat-schema.js';
import type { ModelsConfig, ProviderConfig } from '../config/models-schema.js';
import type { JournalSink } from '../journal/sink.js';
import { NO_METRICS, type GatewayMetrics } from '../metrics/seam.js';
import type { Actor } from '../journal/types.js';
import { randomUUID } from 'node:crypto';
import { ProviderClient, type ProviderClientOptions, type StreamEnd, type StreamRequest, type Usage } from '../models/client.js';
import { listAllModels, type ProviderStatus } from '../models/list.js';
import { resolveModel, clientFor, type Env, type ResolvedModel } from '../models/resolve.js';
import type { ChatEvent, ChatMessageView, ChatSendResult } from '../protocol/chat.js';
import type { Identity } from '../protocol/identity.js';
import { REASONS, requestError, type RunCode } from '../protocol/reasons.js';
import { allows, type ScopeList } from '../protocol/scopes.js';
import type { ChatStore } from '../store/chat-sessions.js';
import type { BeginRunResult, ChatMessage, ChatSession } from '../store/chat-types.js';
import { toStoreErrorSafe, type StoreError } from '../store/errors.js';
import type { DatabaseState } from '../store/state.js';
import { decideSend, sendsInWindow } from './limits.js';
import { ownerOf } from '../protocol/owner.js';
import { buildPrompt } from './prompt.js';
import { AnswerRelay } from './relay.js';
import { refused, withStore, type Outcome } from './store-access.js';

/** The logger the engine writes to (pino's shape). */
export interface ChatLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Sends an event to every open connection of `identity`. */
export type EmitTo = (identity: Identity, event: 'chat', payload: ChatEvent) => void;

export interface ChatRunsOptions {
  /** Read at each call: the database opened at startup. */
  database(): DatabaseState;
  /** Read at each send: the generation's `models` and `chat` sections. */
  config(): { readonly models?: ModelsConfig; readonly chat: ChatConfig };
  journal(): JournalSink;
  logger: ChatLogger;
  now(): number;
  /** Where `{ env: NAME }` API keys are read. */
  env: Env;
  /** Extra provider client options (retry timing, for tests). */
  client?: Partial<ProviderClientOptions>;
  /** How often a streaming answer's text so far is saved (default 200 ms). */
  saveEveryMs?: number;
  /** Where runs by final state and provider latency are counted (GET /metrics); default NO_METRICS. */
  metrics?: GatewayMetrics;
}

export interface SendParams {
  sessionKey?: string;
  message: string;
  idempotencyKey: string;
}

interface ActiveRun {
  readonly runId: string;
  /** Known once the message is stored when the send creates the session. */
  sessionKey: string;
  readonly owner: string;
  readonly identity: Identity;
  readonly model: string;
  /** The configured provider name (the metrics label). */
  readonly provider: string;
  readonly emitTo: EmitTo;
  readonly controller: AbortController;
  seq: number;
  /** Why it was stopped, once it was. */
  stopped?: RunCode;
  /** Resolves when the run has ended and been saved. */
  done?: Promise<void>;
}

/** What chat.send found before storing anything: an earlier run of the same key, or what to ask the model. */
type Prepared = { readonly earlier: ChatSendResult } | Ready;

interface Ready {
  readonly earlier?: undefined;
  readonly chats: ChatStore;
  /** The session sent into; absent when the send creates one. */
  readonly session: ChatSession | undefined;
  readonly model: ResolvedModel;
  readonly request: StreamRequest;
  readonly client: ProviderClient;
}

/** The model's stream as chat.send started it: how it will end, its relay, when it was asked, and where its answer is saved. */
interface AskedStream {
  readonly ended: Promise<StreamEnd>;
  readonly relay: AnswerRelay;
  readonly asked: number;
  readonly saving: Saving;
}

/** How chat.send's answer is given: a result, or a rejection (a bug) the registry answers INTERNAL. */
interface Settle {
  resolve(o: Outcome<ChatSendResult>): void;
  reject(err: unknown): void;
}

/** The answer's row once the message is stored, and the store failure that ended the run, if any. */
interface Saving {
  answer?: { readonly id: number };
  failure?: StoreError;
}

const DEFAULT_SAVE_EVERY_MS = 200;

/** What chat.send answers without a models section: the problem and the config lines to add. */
const NOT_CONFIGURED = `${REASONS.models_not_configured.message} ${REASONS.models_not_configured.fix}`;

function actorOf(identity: Identity): Actor {
  if (identity.user !== null) return { type: 'user', id: identity.user };
  return identity.method === 'none' ? { type: 'anonymous' } : { type: 'client' };
}

export class ChatRuns {
  private readonly byRun = new Map<string, ActiveRun>();
  private readonly bySession = new Map<string, ActiveRun>();
  private readonly byOwner = new Map<string, Set<ActiveRun>>();
  /** Sends being stored, by owner and idempotency key: a repeat waits for the same answer. */
  private readonly storing = new Map<string, Promise<Outcome<ChatSendResult>>>();
  /** Each owner's send times in the last minute, oldest first. */
  private readonly sends = new Map<string, number[]>();
  /** One SDK client per provider config object (a reload brings new objects, so new clients). */
  private readonly clients = new WeakMap<ProviderConfig, ProviderClient>();
  private readonly saveEveryMs: number;
  private closed = false;

  private readonly metrics: GatewayMetrics;

  constructor(private readonly o: ChatRunsOptions) {
    this.saveEveryMs = o.saveEveryMs ?? DEFAULT_SAVE_EVERY_MS;
    this.metrics = o.metrics ?? NO_METRICS;
  }

  /** Answers running now (for status and tests). */
  get running(): number {
    return this.byRun.size;
  }

  /** The run streaming in a session now, if any. */
  activeRunIn(sessionKey: string): string | undefined {
    return this.bySession.get(sessionKey)?.runId;
  }

  /** Logs a storage failure met while answering a request (the client gets its code). */
  readonly logStoreError = (err: StoreError): void => {
    this.o.logger.error({ event: 'chat_store_failed', file: err.file, code: err.code, detail: err.detail, fix: err.fix }, 'chat store failed; the request was answered with its code');
  };

  /** Runs `fn` over the store, turning a storage failure into its `store_*` refusal. */
  withStore<T>(fn: (chats: ChatStore) => Outcome<T>): Outcome<T> {
    return withStore(this.o.database(), fn, this.logStoreError);
  }

  /**
   * chat.send: asks the model, stores the person's message while the request travels, then
   * answers `{runId, sessionKey}` and streams the answer as `chat` events to every connection of
   * `identity`. The answer comes only once the message is stored: an acknowledged message is
   * never lost. The same idempotency key again answers the first run and starts nothing.
   */
  send(identity: Identity, p: SendParams, emitTo: EmitTo): Outcome<ChatSendResult> | Promise<Outcome<ChatSendResult>> {
    if (this.closed) return refused(requestError('store_io_error', 'the gateway is shutting down'));
    const owner = ownerOf(identity);
    const sendKey = `${owner}\n${p.idempotencyKey}`;
    // The same key again while the first send is being stored: the same answer.
    const storing = this.storing.get(sendKey);
    if (storing) return storing;
    const prepared = this.withStore((chats) => this.prepare(owner, p, chats));
    if (!prepared.ok) return prepared;
    const ready = prepared.value;
    if (ready.earlier) return { ok: true, value: ready.earlier };
    const run: ActiveRun = { runId: randomUUID(), sessionKey: ready.session?.key ?? '', owner, identity, model: ready.model.ref, provider: ready.model.provider, emitTo, controller: new AbortController(), seq: 0 };
    this.track(run);
    // The model is asked first: the SDK builds and sends its request on the turns of the event
    // loop that follow, and the message's commit runs while that request travels, instead of
    // before it. Pieces that arrive before the send is answered are held by the relay.
    const saving: Saving = {};
    const relay = new AnswerRelay({
      delta: (delta) => this.emit(run, { state: 'delta', delta }),
      save: (text) => this.saveText(run, ready.chats, saving, text),
      now: this.o.now,
      saveEveryMs: this.saveEveryMs,
    });
    const asked = this.o.now();
    const ended = ready.client.stream({ ...ready.request, signal: run.controller.signal }, relay.push);
    const answered = new Promise<Outcome<ChatSendResult>>((resolve, reject) => {
      run.done = this.storeThenRelay(run, ready, p, { ended, relay, asked, saving }, { resolve, reject });
    });
    this.storing.set(sendKey, answered);
    const forget = (): void => void this.storing.delete(sendKey);
    answered.then(forget, forget);
    return answered;
  }

  /** chat.send's checks and reads, before anything is stored: the refusal, an earlier run of the same key, or what to ask the model. */
  private prepare(owner: string, p: SendParams, chats: ChatStore): Outcome<Prepared> {
    const { models, chat } = this.o.config();
    const earlier = chats.findRun(owner, p.idempotencyKey);
    if (earlier) return { ok: true, value: { earlier: { runId: earlier.runId, sessionKey: earlier.sessionKey } } };
    if (!models) return refused(requestError('models_not_configured', NOT_CONFIGURED));
    if (p.message.length > chat.maxMessageChars) {
      return refused({ code: 'INVALID_PARAMS', message: `invalid chat.send params at message: longer than chat.maxMessageChars (${chat.maxMessageChars} characters); shorten it or split it` });
    }
    const session = p.sessionKey === undefined ? undefined : chats.getSession(owner, p.sessionKey);
    if (p.sessionKey !== undefined && !session) return refused(requestError('session_not_found'));
    const now = this.o.now();
    const recent = this.recentSends(owner, now);
    const decision = decideSend(
      { sessionBusy: p.sessionKey !== undefined && this.bySession.has(p.sessionKey), runningForOwner: this.byOwner.get(owner)?.size ?? 0, recentSends: recent, now },
      chat,
    );
    if (!decision.ok) {
      if (decision.reason === 'session_busy') return refused(requestError('session_busy'));
      const what = decision.limit === 'maxConcurrentRuns' ? `you have ${chat.maxConcurrentRuns} answers streaming (chat.maxConcurrentRuns)` : `you sent ${chat.sendsPerMinute} messages in the last minute (chat.sendsPerMinute)`;
      const when = decision.retryAfterMs === undefined ? 'when an answer ends' : `in ${Math.ceil(decision.retryAfterMs / 1000)} s`;
      return refused(requestError('chat_rate_limited', `${what}; send again ${when}`));
    }
    const model = resolveModel(models);
    if (!model) return refused(requestError('models_not_configured', `models.default "${models.default}" is not a configured model`));
    // The send counts against the per-minute limit from here, stored or not.
    recent.push(now);
    // The prompt: the session's latest messages and the new one, which is stored next.
    const earlierMessages = session ? chats.history(session, chat.historyMessages + 1).messages : [];
    const next: ChatMessage = { id: 0, role: 'user', author: null, text: p.message, createdAt: now, model: null, usage: null, runId: null, state: 'complete', reason: null };
    const request: StreamRequest = { model: model.model, messages: buildPrompt([...earlierMessages, next], chat.historyMessages, models.systemPrompt), ...(models.maxOutputTokens !== undefined && { maxOutputTokens: models.maxOutputTokens }) };
    return { ok: true, value: { chats, session, model, request, client: this.clientFor(models, model.config) } };
  }

  /** chat.abort: stops the owner's run. `aborted: false` when it had already ended. */
  abort(identity: Identity, runId: string): Outcome<{ runId: string; aborted: boolean }> {
    const owner = ownerOf(identity);
    const r = this.byRun.get(runId);
    if (r && r.owner === owner) {
      this.stop(r, 'chat_aborted');
      return { ok: true, value: { runId, aborted: true } };
    }
    return this.withStore((chats) => (chats.getRun(owner, runId) ? { ok: true, value: { runId, aborted: false } } : refused(requestError('run_not_found'))));
  }

  /** Stops the run of a session (deleted): its owner sees `aborted` with `reason`. */
  stopSession(sessionKey: string, reason: RunCode): void {
    const r = this.bySession.get(sessionKey);
    if (r) this.stop(r, reason);
  }

  /**
   * A reload changed the scopes of one of `identity`'s connections: without operator.write the
   * person may no longer act, so their runs stop (`chat_scope_revoked`).
   */
  scopesChanged(identity: Identity, scopes: ScopeList): void {
    if (allows(scopes, 'operator.write')) return;
    for (const r of [...(this.byOwner.get(ownerOf(identity)) ?? [])]) this.stop(r, 'chat_scope_revoked');
  }

  /**
   * A reload put new rules in force: every run whose owner the rules no longer give operator.write
   * stops (`chat_scope_revoked`), whether or not the owner has a connection open to hear it.
   * `scopesOf` is the new generation's scopesFor.
   */
  recheckScopes(scopesOf: (identity: Identity) => ScopeList): void {
    for (const r of [...this.byRun.values()]) if (!allows(scopesOf(r.identity), 'operator.write')) this.stop(r, 'chat_scope_revoked');
  }

  /** models.list and `mayros models list`: each provider, whether it answers, and its models. */
  async listModels(): Promise<{ configured: boolean; default: string | null; providers: ProviderStatus[] }> {
    const { models } = this.o.config();
    if (!models) return { configured: false, default: null, providers: [] };
    return { configured: true, default: models.default, providers: await listAllModels(models, this.o.env) };
  }

  /** Stops every run (`gateway_stopped`, saved as incomplete) and waits until each is saved. */
  async close(): Promise<void> {
    this.closed = true;
    const runs = [...this.byRun.values()];
    for (const r of runs) this.stop(r, 'gateway_stopped');
    await Promise.all(runs.map((r) => r.done));
  }

  private stop(r: ActiveRun, reason: RunCode): void {
    if (r.stopped) return;
    r.stopped = reason;
    r.controller.abort();
  }

  private recentSends(owner: string, now: number): number[] {
    let list = this.sends.get(owner);
    if (!list) {
      list = [];
      this.sends.set(owner, list);
    }
    const drop = list.length - sendsInWindow(list, now);
    if (drop > 0) list.splice(0, drop);
    return list;
  }

  private clientFor(models: ModelsConfig, provider: ProviderConfig): ProviderClient {
    let c = this.clients.get(provider);
    if (!c) {
      c = clientFor(models, provider, this.o.env, this.o.client);
      this.clients.set(provider, c);
    }
    return c;
  }

  private track(r: ActiveRun): void {
    this.byRun.set(r.runId, r);
    this.bySession.set(r.sessionKey, r);
    let set = this.byOwner.get(r.owner);
    if (!set) {
      set = new Set();
      this.byOwner.set(r.owner, set);
    }
    set.add(r);
  }

  private untrack(r: ActiveRun): void {
    this.byRun.delete(r.runId);
    if (this.bySession.get(r.sessionKey) === r) this.bySession.delete(r.sessionKey);
    const set = this.byOwner.get(r.owner);
    set?.delete(r);
    if (set?.size === 0) this.byOwner.delete(r.owner);
    // Forget send times of people who have none left in the window.
    const sends = this.sends.get(r.owner);
    if (sends && sendsInWindow(sends, this.o.now()) === 0) this.sends.delete(r.owner);
  }

  private emit(r: ActiveRun, e: Omit<ChatEvent, 'runId' | 'sessionKey' | 'seq'>): void {
    const payload: ChatEvent = { runId: r.runId, sessionKey: r.sessionKey, seq: r.seq++, ...e };
    try {
      r.emitTo(r.identity, 'chat', payload);
    } catch (err) {
      this.o.logger.error({ event: 'chat_emit_failed', runId: r.runId, error: (err as Error).message }, 'could not send a chat event');
    }
  }

  /**
   * Stores the message (once the model request is on its way), answers the send through
   * `answered`, then lets the relay send the answer and ends the run once. Never rejects.
   */
  private async storeThenRelay(r: ActiveRun, ready: Ready, p: SendParams, stream: AskedStream, settle: Settle): Promise<void> {
    const { ended, relay, asked, saving } = stream;
    const answered = settle.resolve;
    // Two turns of the event loop: by the end of the first the SDK has handed the request to
    // fetch (on Node 20 undici has also written it), and on Node 22 and later undici writes it
    // in an immediate of its own, queued after this one. Only the overlap depends on this; the
    // order of storing, answering and relaying does not.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    const { chats } = ready;
    let stored: Outcome<BeginRunResult & { ok: true }>;
    try {
      stored = this.withStore((c) => {
        const begun = c.beginRun(r.owner, { ...(p.sessionKey !== undefined && { sessionKey: p.sessionKey }), idempotencyKey: p.idempotencyKey, text: p.message, title: titleOf(p.message), answerModel: r.model, runId: r.runId });
        return begun.ok ? { ok: true, value: begun } : refused(requestError('session_not_found'));
      });
    } catch (err) {
      // Not a storage failure (a bug): the send is answered INTERNAL by the registry, the request called off.
      this.untrack(r);
      r.controller.abort();
      settle.reject(err);
      await ended;
      return;
    }
    if (!stored.ok || !stored.value.created) {
      // Not stored (the store failed, or the session was deleted meanwhile), or stored already
      // under this key: the request is called off, and nothing of it is sent.
      this.untrack(r);
      r.controller.abort();
      answered(stored.ok ? { ok: true, value: { runId: stored.value.run.runId, sessionKey: stored.value.run.sessionKey } } : stored);
      await ended;
      return;
    }
    const { run, answer } = stored.value;
    saving.answer = answer;
    if (!ready.session) {
      r.sessionKey = run.sessionKey;
      this.bySession.set(run.sessionKey, r);
    }
    answered({ ok: true, value: { runId: r.runId, sessionKey: r.sessionKey } });
    relay.open();
    let end: StreamEnd;
    try {
      end = await ended;
    } catch (err) {
      // The client never rejects for a provider failure; this is a bug, ended as provider_error.
      this.o.logger.error({ event: 'chat_stream_failed', runId: r.runId, error: (err as Error).message }, 'the model stream failed unexpectedly');
      end = { type: 'error', reason: 'provider_error', detail: 'unexpected failure', text: relay.received };
    }
    relay.close();
    // The provider's time, to the end of its answer or its failure; an aborted run's length is the person's choice, not the provider's.
    if (end.type !== 'aborted') this.metrics.providerRequest(r.provider, (this.o.now() - asked) / 1000, end.type === 'final' ? 'ok' : 'error');
    this.finish(r, chats, answer, end.text || relay.received, end, saving.failure);
  }

  /** Saves a streaming answer's text so far; a deleted session stops the run, a store failure ends it. */
  private saveText(r: ActiveRun, chats: ChatStore, saving: Saving, text: string): void {
    if (saving.failure || !saving.answer) return;
    try {
      if (!chats.setAnswerText(saving.answer.id, text)) this.stop(r, 'chat_session_deleted');
    } catch (err) {
      saving.failure = toStoreErrorSafe(err, chats.file);
      this.logStoreError(saving.failure);
      r.controller.abort();
    }
  }

  private finish(r: ActiveRun, chats: ChatStore, answer: { id: number; createdAt: number } | undefined, text: string, end: StreamEnd, storeFailure: StoreError | undefined): void {
    const usage: Usage | undefined = end.usage;
    let state: 'final' | 'aborted' | 'error';
    let reason: string | undefined;
    let stored: ChatMessageView['state'];
    if (storeFailure) {
      state = 'error';
      reason = storeFailure.code;
      stored = 'error';
    } else if (end.type === 'final') {
      state = 'final';
      stored = 'complete';
    } else if (end.type === 'error') {
      state = 'error';
      reason = end.reason;
      stored = 'error';
      this.o.logger.warn({ event: 'chat_provider_failed', runId: r.runId, model: r.model, reason: end.reason, detail: end.detail }, 'the model server could not answer');
    } else {
      state = 'aborted';
      reason = r.stopped ?? 'chat_aborted';
      stored = reason === 'gateway_stopped' ? 'incomplete' : 'aborted';
    }
    let message: ChatMessageView | undefined;
    if (answer) {
      try {
        const saved = chats.finishAnswer(answer.id, stored === 'complete' ? { state: 'complete', text, ...(usage && { usage }) } : { state: stored as 'error' | 'aborted' | 'incomplete', text, reason: reason!, ...(usage && { usage }) });
        if (saved) message = { id: answer.id, role: 'assistant', author: null, text, createdAt: answer.createdAt, model: r.model, usage: usage ?? null, runId: r.runId, state: stored, reason: reason ?? null };
      } catch (err) {
        const e = toStoreErrorSafe(err, chats.file);
        this.logStoreError(e);
        if (state === 'final') {
          state = 'error';
          reason = e.code;
        }
      }
    }
    this.untrack(r);
    this.emit(r, { state, ...(message && { message }), ...(usage && { usage }), ...(reason !== undefined && { reason }) });
    this.metrics.chatRun(state);
    this.record(r, state, usage, reason);
  }

  private record(r: ActiveRun, state: 'final' | 'aborted' | 'error', usage: Usage | undefined, reason: string | undefined): void {
    try {
      this.o.journal().record({ kind: 'chat.run', actor: actorOf(r.identity), payload: { runId: r.runId, sessionKey: r.sessionKey, model: r.model, state, ...(usage && { usage }), ...(reason !== undefined && { reason }) } });
    } catch (err) {
      this.o.logger.error({ event: 'journal_record_failed', kind: 'chat.run', runId: r.runId, code: (err as { code?: string }).code, error: (err as Error).message }, 'could not journal a chat run; chat goes on');
    }
  }

  /** sessions.delete: journals the deletion (a journal failure is logged, never a failed delete). */
  recordDelete(identity: Identity, sessionKey: string): void {
    try {
      this.o.journal().record({ kind: 'session.delete', actor: actorOf(identity), payload: { sessionKey, owner: ownerOf(identity) } });
    } catch (err) {
      this.o.logger.error({ event: 'journal_record_failed', kind: 'session.delete', code: (err as { code?: string }).code, error: (err as Error).message }, 'could not journal a session deletion');
    }
  }
}

/** A new session's title: the start of its first message, on one line. */
export function titleOf(message: string): string {
  const line = message.replace(/\s+/g, ' ').trim();
  return line.length > 60 ? `${line.slice(0, 59)}…` : line;
}
