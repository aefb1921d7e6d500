/**
 * Chat runs as GET /metrics counts them (ChatRuns' metrics seam): each run by its final state in
 * mayros_chat_runs_total, and the provider's time in mayros_provider_request_duration_seconds by
 * provider and outcome (a run aborted by its person is not a provider latency).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIStub, type OpenAIStub } from '../support/openai-stub.js';
import { startTestGateway, type TestGateway } from '../support/gateway-inproc.js';
import { httpRequest } from '../support/http-client.js';
import { parsePromText, sampleValue } from '../support/prom-text.js';
import { within } from '../support/wait.js';
import { wsConnect, type WsClient } from '../support/ws-client.js';

let stub: OpenAIStub;
let t: TestGateway;
let alice: WsClient;
let n = 0;

beforeAll(async () => {
  stub = await startOpenAIStub();
  t = await startTestGateway(
    { trustedProxies: ['127.0.0.1'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user' } }, metrics: { enabled: true, listen: '127.0.0.1:0' } },
    { sections: { models: { providers: { stub: { baseUrl: stub.baseUrl, models: ['m1'] } }, default: 'stub/m1', requestTimeoutSec: 15 }, chat: { sendsPerMinute: 1000 } } },
  );
  alice = (await wsConnect(t.wsUrl, { headers: { 'x-forwarded-user': 'alice@example.com' } })).client;
});
afterAll(async () => {
  alice?.close();
  await t?.stop();
  await stub?.close();
});

async function scrape() {
  return parsePromText((await httpRequest(t.gw.metricsUrl!)).text);
}

/** Sends a message; resolves with the run's last event once it ended. */
async function run(message: string, abort = false): Promise<{ state: string }> {
  const seen = stub.requests.length;
  const r = await alice.request('chat.send', { message, idempotencyKey: `k-${++n}` });
  expect(r.ok, JSON.stringify(r)).toBe(true);
  if (abort) {
    await stub.waitForRequests(seen + 1);
    await alice.request('chat.abort', { runId: r.payload.runId });
  }
  for (;;) {
    const f = await within(alice.next((e) => e.event === 'chat' && e.payload.runId === r.payload.runId), 10_000, 'chat event');
    if (f.payload.state !== 'delta') return f.payload;
  }
}

const runs = (f: Awaited<ReturnType<typeof scrape>>, state: string) => sampleValue(f, 'mayros_chat_runs_total', { state }) ?? 0;
const latency = (f: Awaited<ReturnType<typeof scrape>>, suffix: string, labels: Record<string, string>) => sampleValue(f, `mayros_provider_request_duration_seconds_${suffix}`, { provider: 'stub', ...labels }) ?? 0;

describe('chat metrics', () => {
  it('counts runs by final state and times the provider in seconds', async () => {
    const before = await scrape();
    stub.script({ kind: 'stream', chunks: ['Hel', 'lo'], headerDelayMs: 300 });
    expect((await run('hi')).state).toBe('final');
    stub.script({ kind: 'stream', chunks: ['par'], end: 'error-event' });
    expect((await run('fail')).state).toBe('error');
    stub.script({ kind: 'hang' });
    expect((await run('stop', true)).state).toBe('aborted');

    const after = await scrape();
    expect(runs(after, 'final') - runs(before, 'final')).toBe(1);
    expect(runs(after, 'error') - runs(before, 'error')).toBe(1);
    expect(runs(after, 'aborted') - runs(before, 'aborted')).toBe(1);
    // One ok request of at least 0.3 s (the stub waited that long before answering), one error, nothing for the abort.
    expect(latency(after, 'count', { outcome: 'ok' }) - latency(before, 'count', { outcome: 'ok' })).toBe(1);
    expect(latency(after, 'bucket', { outcome: 'ok', le: '0.25' }) - latency(before, 'bucket', { outcome: 'ok', le: '0.25' })).toBe(0);
    expect(latency(after, 'sum', { outcome: 'ok' }) - latency(before, 'sum', { outcome: 'ok' })).toBeGreaterThanOrEqual(0.3);
    expect(latency(after, 'count', { outcome: 'error' }) - latency(before, 'count', { outcome: 'error' })).toBe(1);
  });
});
