/**
 * `mayros models list` as a real process against the loopback OpenAI-compatible stub.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { writeConfig } from '../support/config-file.js';
import { cleanEnv } from '../support/env.js';
import { startOpenAIStub, type OpenAIStub } from '../support/openai-stub.js';
import { makeTempDir } from '../support/tmp.js';
import { freePort } from '../support/processes.js';

let stub: OpenAIStub;
let downPort: number;
beforeAll(async () => {
  stub = await startOpenAIStub();
  // A loopback port nothing listens on (a refused connection).
  downPort = await freePort();
});
afterAll(() => stub?.close());

function setup(models?: unknown) {
  const dir = makeTempDir('models-cli');
  const file = writeConfig(dir, models === undefined ? {} : { models });
  return { file, env: cleanEnv({ MAYROS_STATE_DIR: dir }) };
}

describe('mayros models list', () => {
  it('--json: each provider, whether it answers, offered and missing models; exit 1 when one does not answer; never the key', async () => {
    stub.models = ['m1', 'extra'];
    stub.apiKey = 'sk-cli-secret-0123456789';
    try {
      const { file, env } = setup({
        providers: {
          stub: { baseUrl: stub.baseUrl, apiKey: { env: 'STUB_KEY' }, models: ['m1', 'gone'] },
          down: { baseUrl: `http://127.0.0.1:${downPort}/v1`, models: ['x'] },
        },
        default: 'stub/m1',
      });
      const r = await runCli(['models', 'list', '--config', file, '--json'], { ...env, STUB_KEY: 'sk-cli-secret-0123456789' });
      expect(r.code).toBe(1);
      const out = JSON.parse(r.stdout);
      expect(out.default).toBe('stub/m1');
      expect(out.providers).toEqual([
        { provider: 'stub', baseUrl: stub.baseUrl, configured: ['m1', 'gone'], reachable: true, ok: true, offered: ['m1', 'extra'], missing: ['gone'] },
        expect.objectContaining({ provider: 'down', reachable: false, ok: false, reason: 'provider_unreachable' }),
      ]);
      expect(r.stdout + r.stderr).not.toContain('sk-cli-secret');
      const text = await runCli(['models', 'list', '--config', file], { ...env, STUB_KEY: 'sk-cli-secret-0123456789' });
      expect(text.stdout).toContain('stub/m1 (default)  offered');
      expect(text.stdout).toContain('stub/gone  not offered');
      expect(text.stdout).toMatch(/down .* NOT reachable \(provider_unreachable/);
    } finally {
      stub.apiKey = undefined;
    }
  });

  it('exit 0 when every provider answers; an unset key variable is a warning with its fix', async () => {
    const { file, env } = setup({ providers: { stub: { baseUrl: stub.baseUrl, apiKey: { env: 'UNSET_STUB_KEY' }, models: ['m1'] } }, default: 'stub/m1' });
    stub.models = ['m1'];
    const r = await runCli(['models', 'list', '--config', file], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('warning: models.providers.stub.apiKey names the environment variable UNSET_STUB_KEY, which is not set');
  });

  it('without a models section: prints the lines to add, exit 1', async () => {
    const { file, env } = setup();
    const r = await runCli(['models', 'list', '--config', file], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('default: "local/llama3.2"');
  });
});
