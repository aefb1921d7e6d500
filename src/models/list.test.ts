/**
 * `listModels` against the loopback stub: reachable with its models (and configured ones it lacks),
 * refused, or unreachable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIStub, type OpenAIStub } from '../../test/support/openai-stub.js';
import { parseConfigObject } from '../config/parse.js';
import { listAllModels, listModels } from './list.js';
import { freePort } from '../../test/support/processes.js';

let stub: OpenAIStub;
let downPort: number;
beforeAll(async () => {
  stub = await startOpenAIStub();
  // A loopback port nothing listens on (a refused connection).
  downPort = await freePort();
});
afterAll(() => stub.close());

const config = () =>
  parseConfigObject({
    models: {
      providers: {
        local: { baseUrl: stub.baseUrl, models: ['llama3.2', 'gone'] },
        keyed: { baseUrl: stub.baseUrl, apiKey: { env: 'STUB_KEY' }, models: ['llama3.2'] },
        down: { baseUrl: `http://127.0.0.1:${downPort}/v1`, models: ['x'] },
      },
      default: 'local/llama3.2',
    },
  }).models!;

describe('listModels', () => {
  it('reports a reachable provider, what it offers, and configured models it does not', async () => {
    stub.models = ['llama3.2', 'qwen2.5'];
    expect(await listModels(config(), 'local', {})).toEqual({
      provider: 'local',
      baseUrl: stub.baseUrl,
      configured: ['llama3.2', 'gone'],
      reachable: true,
      ok: true,
      offered: ['llama3.2', 'qwen2.5'],
      missing: ['gone'],
    });
  });

  it('sends the key from the named variable; a refusal is reachable but not ok', async () => {
    stub.apiKey = 'sk-stub';
    try {
      expect(await listModels(config(), 'keyed', { STUB_KEY: 'sk-stub' })).toMatchObject({ reachable: true, ok: true });
      expect(await listModels(config(), 'keyed', { STUB_KEY: 'sk-wrong' })).toMatchObject({ reachable: true, ok: false, reason: 'provider_auth_failed', detail: 'HTTP 401' });
    } finally {
      stub.apiKey = undefined;
    }
  });

  it('reports an unreachable provider, and asks all of them in config order', async () => {
    const all = await listAllModels(config(), { STUB_KEY: 'k' });
    expect(all.map((s) => [s.provider, s.reachable, s.ok, s.reason])).toEqual([
      ['local', true, true, undefined],
      ['keyed', true, true, undefined],
      ['down', false, false, 'provider_unreachable'],
    ]);
  });

  it('gives up after its short timeout', async () => {
    stub.scriptModels({ kind: 'hang' });
    expect(await listModels(config(), 'local', {}, 200)).toMatchObject({ reachable: false, ok: false, reason: 'provider_timeout' });
  });
});
