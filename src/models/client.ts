/**
 * A client for one OpenAI-compatible provider, through the official `openai` SDK: streamed chat
 * completions with abort, an idle timeout, and bounded retries before the first token. It never
 * throws for a provider failure: the stream resolves with how it ended (final, aborted, or error
 * with a provider reason code), carrying the text received so far.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import OpenAI from 'openai';
import { classifyFailure, type ProviderFailure } from './classify.js';
import type { ProviderCode } from '../protocol/reasons.js';

/** Resolves when `signal` aborts (at once if it has). */
function abortOf(signal: AbortSignal): Promise<void> {
  return signal.aborted ? Promise.resolve() : new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

export interface ProviderClientOptions {
  /** Up to `/v1`, e.g. http://127.0.0.1:11434/v1. */
  baseUrl: string;
  /** The resolved key; none for a server that needs no key (no Authorization header is sent). */
  apiKey?: string;
  /** Longest silence of the server: before its answer starts, and between two chunks. */
  requestTimeoutMs: number;
  /** Further attempts after a retryable failure before the first token (default 2). */
  maxRetries?: number;
  /** First retry delay, doubled each time (default 250 ms). */
  retryBaseMs?: number;
  /** Longest wait before a retry; a longer Retry-After ends the run instead (default 4 s). */
  maxRetryDelayMs?: number;
}

export interface PromptMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface StreamRequest {
  /** The model name as the provider knows it (without the "provider/" prefix). */
  model: string;
  messages: PromptMessage[];
  maxOutputTokens?: number;
  /** Aborting ends the stream with an `aborted` event and closes the request to the server. */
  signal?: AbortSignal;
}

export interface Usage {
  prompt: number;
  completion: number;
}

/** How a stream ended, with the whole text received. */
export type StreamEnd =
  | { type: 'final'; text: string; finishReason: string; usage?: Usage }
  | { type: 'aborted'; text: string; usage?: Usage }
  | { type: 'error'; reason: ProviderCode; detail: string; text: string; retryAfterMs?: number; usage?: Usage };

/**
 * Fires `onIdle` once nothing has happened for `ms`: `touch()` marks activity and costs a clock
 * read, not a timer re-arm (it runs once per streamed piece).
 */
class IdleTimer {
  fired = false;
  private last = Date.now();
  private timer: NodeJS.Timeout;

  constructor(
    private readonly ms: number,
    private readonly onIdle: () => void,
  ) {
    this.timer = setTimeout(this.check, ms);
  }

  touch(): void {
    this.last = Date.now();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private readonly check = (): void => {
    const quiet = Date.now() - this.last;
    if (quiet < this.ms) {
      this.timer = setTimeout(this.check, this.ms - quiet);
      return;
    }
    this.fired = true;
    this.onIdle();
  };
}

export class ProviderClient {
  private readonly sdk: OpenAI;
  private readonly maxRetries: number;
  private readonly retryBaseMs: number;
  private readonly maxRetryDelayMs: number;

  constructor(private readonly options: ProviderClientOptions) {
    this.maxRetries = options.maxRetries ?? 2;
    this.retryBaseMs = options.retryBaseMs ?? 250;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 4000;
    this.sdk = new OpenAI({
      baseURL: options.baseUrl,
      // Every credential is given explicitly, so the SDK never picks up OPENAI_API_KEY,
      // OPENAI_ADMIN_KEY, OPENAI_ORG_ID or OPENAI_PROJECT_ID from the gateway's environment and sends
      // them to a server they were not meant for. A keyless server gets no Authorization header.
      apiKey: options.apiKey ?? 'no-key',
      adminAPIKey: null,
      organization: null,
      project: null,
      webhookSecret: null,
      ...(options.apiKey === undefined ? { defaultHeaders: { Authorization: null } } : {}),
      // Retries and timeouts are ours (only before the first token; an idle timeout on the stream).
      maxRetries: 0,
      timeout: options.requestTimeoutMs + 1000,
      logLevel: 'off',
    });
  }

  /**
   * Streams one chat completion: each piece of the answer's text goes to `onDelta` as it arrives;
   * resolves with how the stream ended (final, aborted or error), carrying the whole text. Never
   * rejects. A callback rather than an async iterator: one hop less per piece, which is the
   * relay's whole per-token cost.
   */
  async stream(req: StreamRequest, onDelta: (text: string) => void): Promise<StreamEnd> {
    let text = '';
    let usage: Usage | undefined;
    const ended = (): StreamEnd => ({ type: 'aborted', text, ...(usage && { usage }) });
    for (let attempt = 0; ; attempt++) {
      if (req.signal?.aborted) return ended();
      const ctl = new AbortController();
      const onAbort = (): void => ctl.abort();
      req.signal?.addEventListener('abort', onAbort, { once: true });
      const idle = new IdleTimer(this.options.requestTimeoutMs, () => ctl.abort());
      let failure: ProviderFailure | undefined;
      try {
        let finishReason: string | undefined;
        const chunks = await this.sdk.chat.completions.create(
          {
            model: req.model,
            messages: req.messages,
            stream: true,
            stream_options: { include_usage: true },
            ...(req.maxOutputTokens !== undefined && { max_tokens: req.maxOutputTokens }),
          },
          { signal: ctl.signal },
        );
        idle.touch();
        const consuming = (async () => {
          for await (const chunk of chunks) {
            // Pieces the SDK had buffered before the abort are not the caller's any more.
            if (ctl.signal.aborted) return;
            idle.touch();
            if (chunk.usage) usage = { prompt: chunk.usage.prompt_tokens ?? 0, completion: chunk.usage.completion_tokens ?? 0 };
            const choice = chunk.choices[0];
            if (choice?.finish_reason) finishReason = choice.finish_reason;
            const delta = choice?.delta?.content;
            if (delta) {
              text += delta;
              onDelta(delta);
            }
          }
        })();
        // On abort (ours or the caller's) the stream ends here and now; the flags say why. Once
        // the whole body has been received, the SDK's next read after an abort may never settle
        // (it would hold the run, and the gateway's shutdown, for good), so it is not waited for.
        consuming.catch(() => {});
        await Promise.race([consuming, abortOf(ctl.signal)]);
        if (req.signal?.aborted) return ended();
        if (idle.fired) failure = { reason: 'provider_timeout', detail: 'the server went silent mid-answer', retryable: false };
        else if (finishReason === undefined) failure = { reason: 'provider_error', detail: 'stream cut: it ended before the answer was finished', retryable: false };
        else return { type: 'final', text, finishReason, ...(usage && { usage }) };
      } catch (err) {
        if (req.signal?.aborted) return ended();
        failure = idle.fired ? { reason: 'provider_timeout', detail: 'no response in time', retryable: false } : classifyFailure(err, this.options.apiKey);
      } finally {
        idle.stop();
        req.signal?.removeEventListener('abort', onAbort);
      }
      const delay = this.retryDelay(failure, attempt, text);
      if (delay === undefined) {
        return { type: 'error', reason: failure.reason, detail: failure.detail, text, ...(failure.retryAfterMs !== undefined && { retryAfterMs: failure.retryAfterMs }), ...(usage && { usage }) };
      }
      try {
        await sleep(delay, undefined, { signal: req.signal });
      } catch {
        return ended();
      }
    }
  }

  /** Milliseconds to wait before the next attempt, or undefined when there is none. */
  private retryDelay(f: ProviderFailure, attempt: number, text: string): number | undefined {
    // After the first token the person has seen part of an answer: a retry would repeat it.
    if (!f.retryable || text !== '' || attempt >= this.maxRetries) return undefined;
    if (f.retryAfterMs !== undefined) return f.retryAfterMs <= this.maxRetryDelayMs ? f.retryAfterMs : undefined;
    const backoff = Math.min(this.retryBaseMs * 2 ** attempt, this.maxRetryDelayMs);
    return backoff * (0.75 + Math.random() * 0.25);
  }

  /** GET {baseUrl}/models: the model ids the server offers. Never throws. */
  async listModels(timeoutMs = 5000): Promise<{ ok: true; models: string[] } | { ok: false; reason: ProviderCode; detail: string }> {
    const ctl = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ctl.abort();
    }, timeoutMs);
    try {
      const page = await this.sdk.models.list({ signal: ctl.signal, timeout: timeoutMs + 1000 });
      const models = Array.isArray(page.data) ? page.data.map((m) => m.id).filter((id): id is string => typeof id === 'string') : undefined;
      if (!models) return { ok: false, reason: 'provider_error', detail: 'GET /models did not answer with a model list' };
      return { ok: true, models };
    } catch (err) {
      if (timedOut) return { ok: false, reason: 'provider_timeout', detail: `no answer within ${timeoutMs} ms` };
      const f = classifyFailure(err, this.options.apiKey);
      return { ok: false, reason: f.reason, detail: f.detail };
    } finally {
      clearTimeout(timer);
    }
  }
}
