/**
 * `mayros config get` never prints a model provider's API key (issue 15), whatever path is asked.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { writeConfig } from '../support/config-file.js';
import { cleanEnv } from '../support/env.js';
import { makeTempDir } from '../support/tmp.js';

describe('mayros config get with model providers', () => {
  it('hides an inline apiKey at every path and shows an { env } reference', async () => {
    const dir = makeTempDir('cli');
    const file = writeConfig(dir, {
      models: {
        providers: {
          openai: { baseUrl: 'https://api.openai.com/v1', apiKey: 'sk-inline-0123456789', models: ['gpt-4.1-mini'] },
          other: { baseUrl: 'https://llm.example.com/v1', apiKey: { env: 'OTHER_API_KEY' }, models: ['m'] },
        },
        default: 'openai/gpt-4.1-mini',
      },
    });
    const env = cleanEnv({ MAYROS_STATE_DIR: dir });
    const outputs: string[] = [];
    for (const key of ['', 'models', 'models.providers', 'models.providers.openai', 'models.providers.openai.apiKey']) {
      const r = await runCli(['config', 'get', ...(key ? [key] : []), '--json', '--config', file], env);
      expect(r.code, r.stderr).toBe(0);
      outputs.push(r.stdout);
    }
    for (const out of outputs) expect(out).not.toContain('sk-inline-0123456789');
    expect(JSON.parse(outputs[3]!)).toEqual({ baseUrl: 'https://api.openai.com/v1', apiKey: '(set, hidden)', models: ['gpt-4.1-mini'] });
    expect(JSON.parse(outputs[0]!).models.providers.other.apiKey).toEqual({ env: 'OTHER_API_KEY' });
  });
});
