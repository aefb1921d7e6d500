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
import { ProviderClient, type ProviderClientOptions, type StreamEnd, type StreamRequest, type Usage } from '../models/client.js';
import { listAllModels, type ProviderStatus } from '../models/list.js';
import { resolveModel, clientFor, type Env } from '../models/resolve.js';
import type { ChatEvent, ChatMessageView, ChatSendResult } from '../protocol/chat.js';
import type { Identity } from '../protocol/identity.js';
import { REASONS, requestError, type RunCode, type StoreCode } from '../protocol/reasons.js';
import { allows, type ScopeList } from '../protocol/scopes.js';
import type { ChatStore } from '../store/chat-sessions.js';
import { StoreError, toStoreError } from '../store/errors.js';
import type { DatabaseState } from '../store/state.js';
import { decideSend, sendsInWindow } from './limits.js';
import { ownerOf } from '../protocol/owner.js';
import { buildPrompt } from './prompt.js';
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
  readonly sessionKey: string;
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
   * chat.send: stores the person's message and its run, answers `{runId, sessionKey}` at once,
   * and streams the answer as `chat` events to every connection of `identity`. The same
   * idempotency key again answers the first run and starts nothing.
   */
  send(identity: Identity, p: SendParams, emitTo: EmitTo): Outcome<ChatSendResult> {
    if (this.closed) return refused(requestError('store_io_error', 'the gateway is shutting down'));
    const { models, chat } = this.o.config();
    const owner = ownerOf(identity);
    return this.withStore((chats) => {
      const earlier = chats.findRun(owner, p.idempotencyKey);
      if (earlier) return { ok: true, value: { runId: earlier.runId, sessionKey: earlier.sessionKey } };
      if (!models) return refused(requestError('models_not_configured', NOT_CONFIGURED));
      if (p.message.length > chat.maxMessageChars) {
        return refused({ code: 'INVALID_PARAMS', message: `invalid chat.send params at message: longer than chat.maxMessageChars (${chat.maxMessageChars} characters); shorten it or split it` });
      }
      if (p.sessionKey !== undefined && !chats.getSession(owner, p.sessionKey)) return refused(requestError('session_not_found'));
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
      const resolved = resolveModel(models);
      if (!resolved) return refused(requestError('models_not_configured', `models.default "${models.default}" is not a configured model`));
      const begun = chats.beginRun(owner, { ...(p.sessionKey !== undefined && { sessionKey: p.sessionKey }), idempotencyKey: p.idempotencyKey, text: p.message, title: titleOf(p.message) });
      if (!begun.ok) return refused(requestError('session_not_found'));
      if (!begun.created) return { ok: true, value: { runId: begun.run.runId, sessionKey: begun.run.sessionKey } };
      recent.push(now);
      const session = chats.getSession(owner, begun.run.sessionKey);
      const history = session ? chats.history(session, chat.historyMessages + 2).messages : [begun.userMessage];
      const request: StreamRequest = { model: resolved.model, messages: buildPrompt(history, chat.historyMessages, models.systemPrompt), ...(models.maxOutputTokens !== undefined && { maxOutputTokens: models.maxOutputTokens }) };
      const run: ActiveRun = { runId: begun.run.runId, sessionKey: begun.run.sessionKey, owner, identity, model: resolved.ref, provider: resolved.provider, emitTo, controller: new AbortController(), seq: 0 };
      this.track(run);
      run.done = this.drive(run, chats, this.clientFor(models, resolved.config), request);
      return { ok: true, value: { runId: run.runId, sessionKey: run.sessionKey } };
    });
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

  /** Streams the answer, saving it as it grows, and ends the run once. Never rejects. */
  private async drive(r: ActiveRun, chats: ChatStore, client: ProviderClient, req: StreamRequest): Promise<void> {
    let storeFailure: StoreError | undefined;
    const fail = (err: unknown): void => {
      storeFailure ??= toStoreErrorSafe(err, chats.file);
      this.logStoreError(storeFailure);
      r.controller.abort();
    };
    let answer: { id: number; createdAt: number } | undefined;
    try {
      answer = chats.startAnswer(r.runId, r.model);
      // The session was deleted between the send and here.
      if (!answer) r.stopped ??= 'chat_session_deleted';
    } catch (err) {
      fail(err);
    }
    let text = '';
    let end: StreamEnd = { type: 'aborted', text: '' };
    if (answer && !storeFailure && !r.stopped) {
      let savedAt = this.o.now();
      // Pieces that arrive together (one network read) go out as one event: the first piece of a
      // burst at once, the rest of it at the next turn of the event loop. One frame per burst,
      // not per token, for the gateway and for every tab of the owner.
      let unsent = '';
      let flushing: NodeJS.Immediate | undefined;
      const flush = (): void => {
        flushing = undefined;
        if (unsent === '') return;
        const delta = unsent;
        unsent = '';
        this.emit(r, { state: 'delta', delta });
      };
      const started = this.o.now();
      try {
        for await (const ev of client.stream({ ...req, signal: r.controller.signal })) {
          if (ev.type !== 'delta') {
            end = ev;
            continue;
          }
          text += ev.text;
          if (flushing === undefined) {
            this.emit(r, { state: 'delta', delta: ev.text });
            flushing = setImmediate(flush);
          } else unsent += ev.text;
          const now = this.o.now();
          if (now - savedAt >= this.saveEveryMs && !storeFailure) {
            savedAt = now;
            try {
              if (!chats.setAnswerText(answer.id, text)) this.stop(r, 'chat_session_deleted');
            } catch (err) {
              fail(err);
            }
          }
        }
      } catch (err) {
        // The client never throws for a provider failure; this is a bug, ended as provider_error.
        this.o.logger.error({ event: 'chat_stream_failed', runId: r.runId, error: (err as Error).message }, 'the model stream failed unexpectedly');
        end = { type: 'error', reason: 'provider_error', detail: 'unexpected failure', text };
      }
      if (flushing !== undefined) clearImmediate(flushing);
      flush();
      text = end.text || text;
      // The provider's time, to the end of its answer or its failure; an aborted run's length is the person's choice, not the provider's.
      if (end.type !== 'aborted') this.metrics.providerRequest(r.provider, (this.o.now() - started) / 1000, end.type === 'final' ? 'ok' : 'error');
    }
    this.finish(r, chats, answer, text, end, storeFailure);
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

function toStoreErrorSafe(err: unknown, file: string): StoreError {
  try {
    return toStoreError(err, file);
  } catch {
    return new StoreError('store_io_error' satisfies StoreCode, file, err instanceof Error ? err.name : 'error', err);
  }
}
