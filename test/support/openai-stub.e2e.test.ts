/**
 * The stub itself, through the official SDK where a real client would use it: non-streaming
 * answers, the fallback script, key enforcement, and what it records. (Streaming and every
 * scripted failure are proven by src/models/client.test.ts.)
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startOpenAIStub, type OpenAIStub } from './openai-stub.js';

let stub: OpenAIStub;
let sdk: OpenAI;
beforeAll(async () => {
  stub = await startOpenAIStub();
  sdk = new OpenAI({ baseURL: stub.baseUrl, apiKey: 'sk-stub', maxRetries: 0, logLevel: 'off' });
});
afterAll(() => stub.close());
beforeEach(() => {
  stub.requests.length = 0;
  stub.apiKey = undefined;
  stub.fallback = undefined;
});

describe('openai stub', () => {
  it('listens on loopback and answers a non-streaming completion with usage', async () => {
    expect(stub.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    stub.script({ kind: 'json', text: 'Whole answer.', usage: { prompt: 7, completion: 2 } });
    const r = await sdk.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'q' }] });
    expect(r.choices[0]!.message.content).toBe('Whole answer.');
    expect(r.choices[0]!.finish_reason).toBe('stop');
    expect(r.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 });
  });

  it('answers a streamed script whole when the request does not ask for a stream', async () => {
    stub.script({ kind: 'stream', chunks: ['a', 'b', { text: 'c', delayMs: 5 }] });
    const r = await sdk.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'q' }] });
    expect(r.choices[0]!.message.content).toBe('abc');
  });

  it('streams with timing: a chunk scheduled later arrives after the earlier ones', async () => {
    stub.script({ kind: 'stream', chunks: [{ text: 'slow', delayMs: 50 }, 'fast'] });
    const got: string[] = [];
    const stream = await sdk.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'q' }], stream: true });
    for await (const c of stream) if (c.choices[0]?.delta?.content) got.push(c.choices[0].delta.content);
    expect(got).toEqual(['slow', 'fast']);
  });

  it('holds a chunk with `after` until the test releases it', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    stub.script({ kind: 'stream', chunks: ['first', { text: 'held', after: held }, 'last'] });
    const stream = await sdk.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'q' }], stream: true });
    const it = stream[Symbol.asyncIterator]();
    const nextText = async (): Promise<string | undefined> => {
      for (;;) {
        const r = await it.next();
        if (r.done) return undefined;
        const text = r.value.choices[0]?.delta?.content;
        if (text) return text;
      }
    };
    expect(await nextText()).toBe('first');
    // Nothing more comes before the release (a chunk sent at once would be read within 100 ms).
    const pending = nextText();
    const early = await Promise.race([pending.then(() => 'arrived'), new Promise((r) => setTimeout(() => r('waiting'), 100))]);
    expect(early).toBe('waiting');
    release();
    expect(await pending).toBe('held');
    expect(await nextText()).toBe('last');
    expect(await nextText()).toBeUndefined();
  });

  it('records each request, keeping the Authorization header apart from the others', async () => {
    stub.script({ kind: 'json', text: 'x' });
    await sdk.chat.completions.create({ model: 'llama3.2', messages: [{ role: 'system', content: 'S' }, { role: 'user', content: 'U' }] });
    const r = stub.requests[0]!;
    expect(r).toMatchObject({ method: 'POST', path: '/v1/chat/completions', model: 'llama3.2', stream: false, authorization: 'Bearer sk-stub', clientClosed: false });
    expect(r.messages).toEqual([{ role: 'system', content: 'S' }, { role: 'user', content: 'U' }]);
    expect(r.headers.authorization).toBeUndefined();
    expect(r.headers['content-type']).toBe('application/json');
  });

  it('refuses a wrong key with 401 when it has one, as a real server does', async () => {
    stub.apiKey = 'sk-right';
    await expect(sdk.models.list()).rejects.toMatchObject({ status: 401 });
    const right = new OpenAI({ baseURL: stub.baseUrl, apiKey: 'sk-right', maxRetries: 0, logLevel: 'off' });
    stub.models = ['a', 'b'];
    expect((await right.models.list()).data.map((m) => m.id)).toEqual(['a', 'b']);
  });

  it('uses the fallback once the queue is empty, and says so when there is neither', async () => {
    stub.fallback = (req) => ({ kind: 'json', text: `echo ${req.messages.at(-1)?.content}` });
    const r = await sdk.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'ping' }] });
    expect(r.choices[0]!.message.content).toBe('echo ping');
    stub.fallback = undefined;
    await expect(sdk.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'q' }] })).rejects.toMatchObject({ status: 500, message: expect.stringContaining('no script queued') });
  });

  it('answers an unknown route with 404', async () => {
    await expect(sdk.embeddings.create({ model: 'e', input: 'x' })).rejects.toMatchObject({ status: 404 });
  });

  it('waits for requests, and a hanging one ends when the stub closes', async () => {
    const other = await startOpenAIStub();
    other.script({ kind: 'hang' });
    const client = new OpenAI({ baseURL: other.baseUrl, apiKey: 'k', maxRetries: 0, logLevel: 'off' });
    const pending = client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'q' }] });
    await other.waitForRequests(1);
    await other.close();
    await expect(pending).rejects.toThrow();
    await other.requests[0]!.closed;
    expect(other.requests[0]!.clientClosed).toBe(false);
  });
});
