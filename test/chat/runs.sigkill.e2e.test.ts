/**
 * A real gateway process killed with SIGKILL in the middle of a streamed answer, then started
 * again on the same state directory: every message it acknowledged is there, and the answer it was
 * writing is marked incomplete (gateway_restarted) with the text saved before the kill.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { startOpenAIStub, type OpenAIStub } from '../support/openai-stub.js';
import { removeTempDir } from '../support/tmp.js';
import { within } from '../support/wait.js';
import { wsConnect, type WsClient } from '../support/ws-client.js';

let stub: OpenAIStub;
const clients: WsClient[] = [];
beforeAll(async () => {
  stub = await startOpenAIStub();
});
afterAll(async () => {
  for (const c of clients) c.close();
  await stub?.close();
});

const config = () => ({
  gateway: { port: 0, trustedProxies: ['127.0.0.1'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user' } } },
  models: { providers: { stub: { baseUrl: stub.baseUrl, models: ['m1'] } }, default: 'stub/m1' },
});

async function alice(gw: GatewayProcess): Promise<WsClient> {
  const { client, reply } = await wsConnect(`ws://127.0.0.1:${gw.port}/`, { headers: { 'x-forwarded-user': 'alice@example.com' } });
  expect(reply.ok).toBe(true);
  clients.push(client);
  return client;
}

describe('SIGKILL mid-stream', () => {
  it('restarts with every acknowledged message and the interrupted answer marked incomplete', async () => {
    const first = await startGatewayProcess({ config: config() });
    let second: GatewayProcess | undefined;
    try {
      const c = await alice(first);
      stub.script({ kind: 'stream', chunks: ['Done.'] });
      const one = await c.request('chat.send', { message: 'first question', idempotencyKey: 'k1' });
      await within(c.next((e) => e.event === 'chat' && e.payload.runId === one.payload.runId && e.payload.state === 'final'), 5000, 'first answer');

      stub.script({ kind: 'stream', chunks: Array.from({ length: 200 }, (_, i) => `w${i} `), chunkDelayMs: 25 });
      const two = await c.request('chat.send', { message: 'second question', sessionKey: one.payload.sessionKey, idempotencyKey: 'k2' });
      expect(two.ok).toBe(true);
      // Well past the 200 ms save interval, still far from the end.
      const seen: string[] = [];
      while (seen.length < 20) seen.push((await within(c.next((e) => e.event === 'chat' && e.payload.runId === two.payload.runId), 5000, 'deltas')).payload.delta);
      process.kill(first.pid, 'SIGKILL');
      expect((await within(first.exited, 5000, 'the kill')).signal).toBe('SIGKILL');

      second = await startGatewayProcess({ config: config(), env: { MAYROS_STATE_DIR: first.dir } });
      const again = await alice(second);
      const h = await again.request('chat.history', { sessionKey: one.payload.sessionKey });
      const msgs = h.payload.messages;
      expect(msgs.map((m: any) => [m.role, m.state])).toEqual([
        ['user', 'complete'],
        ['assistant', 'complete'],
        ['user', 'complete'],
        ['assistant', 'incomplete'],
      ]);
      expect(msgs.map((m: any) => m.text).slice(0, 3)).toEqual(['first question', 'Done.', 'second question']);
      const cut = msgs[3];
      expect(cut.reason).toBe('gateway_restarted');
      expect(cut.text.length).toBeGreaterThan(0);
      expect(seen.join('').startsWith(cut.text) || cut.text.startsWith(seen.join(''))).toBe(true);
      expect(cut.text).toMatch(/^w0 w1 /);
      // The acknowledged send's idempotency key survived too: sending it again starts nothing.
      const resend = await again.request('chat.send', { message: 'second question', sessionKey: one.payload.sessionKey, idempotencyKey: 'k2' });
      expect(resend.payload).toEqual(two.payload);
    } finally {
      await second?.stop();
      removeTempDir(first.dir);
    }
  });
});
