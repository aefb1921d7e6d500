/**
 * The provider client against the loopback OpenAI-compatible stub: what reaches the server, and
 * every failure class mapped to its reason code with the partial answer kept. The client is the
 * official SDK, so these tests also prove the stub satisfies it.
 */
import { freePort } from '../../test/support/processes.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startOpenAIStub, type OpenAIStub } from '../../test/support/openai-stub.js';
import { ProviderClient, type ProviderClientOptions, type StreamEnd, type StreamRequest } from './client.js';

let stub: OpenAIStub;
beforeAll(async () => {
  stub = await startOpenAIStub();
});
afterAll(() => stub.close());
beforeEach(() => {
  stub.requests.length = 0;
  stub.apiKey = undefined;
});

const KEY = 'sk-test-0123456789abcdef';
const client = (o: Partial<ProviderClientOptions> = {}) => new ProviderClient({ baseUrl: stub.baseUrl, apiKey: KEY, requestTimeoutMs: 5000, retryBaseMs: 1, ...o });
const ask: StreamRequest = { model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] };

async function collect(c: ProviderClient, req: StreamRequest = ask): Promise<{ deltas: string[]; end: StreamEnd }> {
  const deltas: string[] = [];
  const end = await c.stream(req, (text) => deltas.push(text));
  return { deltas, end };
}

/** A loopback port with nothing listening. */
const closedPort = () => freePort();

describe('streaming', () => {
  it('hands over each delta in order, then ends with the final text, finish reason and usage', async () => {
    stub.script({ kind: 'stream', chunks: ['Lis', 'bon', ', in May.'], usage: { prompt: 21, completion: 4 } });
    const { deltas, end } = await collect(client());
    expect(deltas).toEqual(['Lis', 'bon', ', in May.']);
    expect(end).toEqual({ type: 'final', text: 'Lisbon, in May.', finishReason: 'stop', usage: { prompt: 21, completion: 4 } });
  });

  it('sends the model, the whole conversation with the system prompt, the output limit and the key', async () => {
    stub.apiKey = KEY;
    stub.script({ kind: 'stream', chunks: ['ok'] });
    const messages = [
      { role: 'system' as const, content: 'You are Mayros.' },
      { role: 'user' as const, content: 'first' },
      { role: 'assistant' as const, content: 'answer' },
      { role: 'user' as const, content: 'second' },
    ];
    const { end } = await collect(client(), { model: 'meta/llama-3-8b', messages, maxOutputTokens: 256 });
    expect(end.type).toBe('final');
    const r = stub.requests[0]!;
    expect(r.model).toBe('meta/llama-3-8b');
    expect(r.messages).toEqual(messages);
    expect(r.body).toMatchObject({ stream: true, stream_options: { include_usage: true }, max_tokens: 256 });
    expect(r.authorization).toBe(`Bearer ${KEY}`);
  });

  it('reports finish_reason "length" when the answer hit the output limit', async () => {
    stub.script({ kind: 'stream', chunks: ['trunc'], finishReason: 'length' });
    expect((await collect(client())).end).toMatchObject({ type: 'final', text: 'trunc', finishReason: 'length' });
  });

  it('sends no Authorization header without a key, and never the OPENAI_* credentials of its environment', async () => {
    const names = ['OPENAI_API_KEY', 'OPENAI_ADMIN_KEY', 'OPENAI_ORG_ID', 'OPENAI_PROJECT_ID', 'OPENAI_BASE_URL'];
    const saved = names.map((n) => process.env[n]);
    Object.assign(process.env, { OPENAI_API_KEY: 'sk-env-leak', OPENAI_ADMIN_KEY: 'sk-admin-leak', OPENAI_ORG_ID: 'org-leak', OPENAI_PROJECT_ID: 'proj-leak', OPENAI_BASE_URL: 'http://127.0.0.9:1/v1' });
    try {
      stub.script({ kind: 'stream', chunks: ['ok'] }, { kind: 'stream', chunks: ['ok'] });
      expect((await collect(client({ apiKey: undefined }))).end.type).toBe('final');
      expect((await collect(client())).end.type).toBe('final');
    } finally {
      names.forEach((n, i) => (saved[i] === undefined ? delete process.env[n] : (process.env[n] = saved[i])));
    }
    const [keyless, keyed] = stub.requests;
    expect(keyless!.authorization).toBeUndefined();
    expect(keyed!.authorization).toBe(`Bearer ${KEY}`);
    for (const r of stub.requests) {
      expect(r.headers['openai-organization']).toBeUndefined();
      expect(r.headers['openai-project']).toBeUndefined();
      expect(JSON.stringify(r.headers)).not.toMatch(/leak/);
    }
  });
});

describe('failures: each ends the stream with its reason code, keeping the partial answer', () => {
  it('connection refused: provider_unreachable', async () => {
    const c = new ProviderClient({ baseUrl: `http://127.0.0.1:${await closedPort()}/v1`, requestTimeoutMs: 5000, retryBaseMs: 1 });
    expect((await collect(c)).end).toEqual({ type: 'error', reason: 'provider_unreachable', detail: 'ECONNREFUSED', text: '' });
  });

  it('no answer at all: provider_timeout, and the request is closed at the server', async () => {
    stub.script({ kind: 'hang' });
    const { end } = await collect(client({ requestTimeoutMs: 300 }));
    expect(end).toMatchObject({ type: 'error', reason: 'provider_timeout', text: '' });
    await stub.requests[0]!.closed;
    expect(stub.requests[0]!.clientClosed).toBe(true);
    expect(stub.requests).toHaveLength(1);
  });

  it('silence mid-answer: provider_timeout with the text so far', async () => {
    stub.script({ kind: 'stream', chunks: ['half ', 'an answer'], end: 'stall' });
    const { deltas, end } = await collect(client({ requestTimeoutMs: 300 }));
    expect(deltas).toEqual(['half ', 'an answer']);
    expect(end).toMatchObject({ type: 'error', reason: 'provider_timeout', text: 'half an answer' });
  });

  it('a slow answer that never pauses as long as the timeout is not cut, however long it takes in all', async () => {
    // Pauses (150 ms) far below the timeout (1 s), so a loaded machine cannot stretch one past it;
    // the whole answer (8 pauses) still takes longer than the timeout.
    stub.script({ kind: 'stream', chunks: ['a', ...Array.from({ length: 8 }, () => ({ text: 'b', delayMs: 150 }))] });
    const started = Date.now();
    const { end } = await collect(client({ requestTimeoutMs: 1_000 }));
    expect(end).toMatchObject({ type: 'final', text: 'abbbbbbbb' });
    expect(Date.now() - started).toBeGreaterThan(1_000);
  });

  it.each([401, 403])('HTTP %i: provider_auth_failed, not retried', async (status) => {
    stub.script({ kind: 'status', status });
    expect((await collect(client())).end).toEqual({ type: 'error', reason: 'provider_auth_failed', detail: `HTTP ${status}`, text: '' });
    expect(stub.requests).toHaveLength(1);
  });

  it('HTTP 429 with a short Retry-After: waits and retries before the first token', async () => {
    stub.script({ kind: 'status', status: 429, headers: { 'retry-after': '0' } }, { kind: 'stream', chunks: ['fine'] });
    expect((await collect(client())).end).toMatchObject({ type: 'final', text: 'fine' });
    expect(stub.requests).toHaveLength(2);
  });

  it('HTTP 429 with a long Retry-After: provider_rate_limited at once, with the delay', async () => {
    stub.script({ kind: 'status', status: 429, headers: { 'retry-after': '60' } });
    const t0 = Date.now();
    const { end } = await collect(client());
    expect(end).toMatchObject({ type: 'error', reason: 'provider_rate_limited', retryAfterMs: 60_000, text: '' });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(stub.requests).toHaveLength(1);
  });

  it('HTTP 500 then 503: retried, and the third attempt answers', async () => {
    stub.script({ kind: 'status', status: 500 }, { kind: 'status', status: 503 }, { kind: 'stream', chunks: ['third time'] });
    expect((await collect(client())).end).toMatchObject({ type: 'final', text: 'third time' });
    expect(stub.requests).toHaveLength(3);
  });

  it('HTTP 503 every time: provider_error after 1 + maxRetries attempts', async () => {
    stub.script(...Array.from({ length: 3 }, () => ({ kind: 'status' as const, status: 503 })));
    const { end } = await collect(client({ maxRetries: 2 }));
    expect(end).toMatchObject({ type: 'error', reason: 'provider_error', text: '' });
    expect((end as { detail: string }).detail).toMatch(/^HTTP 503/);
    expect(stub.requests).toHaveLength(3);
  });

  it('HTTP 404 (unknown model): provider_error, not retried, with the server\'s words minus the key', async () => {
    stub.script({ kind: 'status', status: 404, body: { error: { message: `model "x" not found for key ${KEY}` } } });
    const { end } = await collect(client());
    expect(end).toMatchObject({ type: 'error', reason: 'provider_error' });
    expect((end as { detail: string }).detail).toBe('HTTP 404 model "x" not found for key [redacted]');
    expect(stub.requests).toHaveLength(1);
  });

  it.each([
    ['malformed', /^malformed stream/],
    ['cut', /^stream cut/],
    ['no-done', /^stream cut/],
    ['error-event', /^error event in the stream: .*the model crashed/],
  ] as const)('a stream that ends "%s" mid-answer: provider_error, partial text kept, not retried', async (how, detail) => {
    stub.script({ kind: 'stream', chunks: ['Lisbon, ', 'for'], end: how });
    const { deltas, end } = await collect(client());
    expect(deltas).toEqual(['Lisbon, ', 'for']);
    expect(end).toMatchObject({ type: 'error', reason: 'provider_error', text: 'Lisbon, for' });
    expect((end as { detail: string }).detail).toMatch(detail);
    expect(stub.requests).toHaveLength(1);
  });
});

describe('abort', () => {
  it('mid-stream: ends with "aborted" and the text so far, and the request stops at the server', async () => {
    stub.script({ kind: 'stream', chunks: ['one ', 'two ', ...Array.from({ length: 50 }, () => ({ text: 'more ', delayMs: 100 }))] });
    const ctl = new AbortController();
    const deltas: string[] = [];
    const end = await client().stream({ ...ask, signal: ctl.signal }, (text) => {
      deltas.push(text);
      if (deltas.length === 2) ctl.abort();
    });
    expect(end).toEqual({ type: 'aborted', text: 'one two ' });
    await stub.requests[0]!.closed;
    expect(stub.requests[0]!.clientClosed).toBe(true);
  });

  it('while the rest of the answer is already received: ends at once, with nothing after the abort', async () => {
    // The whole answer arrives in one burst; the abort comes while its first piece is handed over
    // (a store failure, a Stop, a deleted session). The SDK would go on with the buffered pieces
    // and then wait on a read that never ends.
    stub.script({ kind: 'stream', chunks: ['one ', 'two ', 'three ', 'four'] });
    const ctl = new AbortController();
    const deltas: string[] = [];
    const end = await client({ requestTimeoutMs: 60_000 }).stream({ ...ask, signal: ctl.signal }, (text) => {
      deltas.push(text);
      ctl.abort();
    });
    expect(end).toEqual({ type: 'aborted', text: 'one ' });
    expect(deltas).toEqual(['one ']);
  });

  it('before the start: no request is sent', async () => {
    const ctl = new AbortController();
    ctl.abort();
    expect((await collect(client(), { ...ask, signal: ctl.signal })).end).toEqual({ type: 'aborted', text: '' });
    expect(stub.requests).toHaveLength(0);
  });

  it('during a retry wait: ends at once', async () => {
    stub.script({ kind: 'status', status: 503 });
    const ctl = new AbortController();
    const t0 = Date.now();
    setTimeout(() => ctl.abort(), 100);
    const { end } = await collect(client({ retryBaseMs: 3000, maxRetryDelayMs: 3000 }), { ...ask, signal: ctl.signal });
    expect(end).toEqual({ type: 'aborted', text: '' });
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});

describe('listModels', () => {
  it('lists what the server offers', async () => {
    stub.models = ['llama3.2', 'qwen2.5'];
    expect(await client().listModels()).toEqual({ ok: true, models: ['llama3.2', 'qwen2.5'] });
    expect(stub.requests[0]).toMatchObject({ method: 'GET', path: '/v1/models', authorization: `Bearer ${KEY}` });
  });

  it('says unreachable, timed out, or refused', async () => {
    const down = new ProviderClient({ baseUrl: `http://127.0.0.1:${await closedPort()}/v1`, requestTimeoutMs: 5000 });
    expect(await down.listModels()).toEqual({ ok: false, reason: 'provider_unreachable', detail: 'ECONNREFUSED' });
    stub.scriptModels({ kind: 'hang' }, { kind: 'status', status: 401 });
    expect(await client().listModels(200)).toEqual({ ok: false, reason: 'provider_timeout', detail: 'no answer within 200 ms' });
    expect(await client().listModels()).toEqual({ ok: false, reason: 'provider_auth_failed', detail: 'HTTP 401' });
  });
});
