import { describe, expect, it } from 'vitest';
import { parseConfigObject } from '../config/parse.js';
import { envKeyIssues, resolveApiKey, resolveModel } from './resolve.js';

const models = parseConfigObject({
  models: {
    providers: {
      local: { baseUrl: 'http://127.0.0.1:11434/v1', models: ['llama3.2'] },
      openai: { baseUrl: 'https://api.openai.com/v1', apiKey: { env: 'OPENAI_API_KEY' }, models: ['gpt-4.1-mini'] },
      vllm: { baseUrl: 'http://127.0.0.1:8000/v1', apiKey: 'inline', models: ['meta-llama/Llama-3-8B'] },
    },
    default: 'local/llama3.2',
  },
}).models!;

describe('resolveApiKey', () => {
  it('returns an inline key, reads a named variable, and nothing for none, unset or empty', () => {
    expect(resolveApiKey('sk-inline', {})).toBe('sk-inline');
    expect(resolveApiKey({ env: 'K' }, { K: 'sk-env' })).toBe('sk-env');
    expect(resolveApiKey({ env: 'K' }, {})).toBeUndefined();
    expect(resolveApiKey({ env: 'K' }, { K: '' })).toBeUndefined();
    expect(resolveApiKey(undefined, { OPENAI_API_KEY: 'x' })).toBeUndefined();
  });
});

describe('envKeyIssues', () => {
  it('names each provider whose key variable is unset or empty, with the fix', () => {
    expect(envKeyIssues(models, {})).toEqual([
      {
        path: 'models.providers.openai.apiKey',
        message: 'names the environment variable OPENAI_API_KEY, which is not set',
        fix: "set OPENAI_API_KEY in the gateway's environment (e.g. in its service unit), or remove apiKey for a server that needs no key",
      },
    ]);
    expect(envKeyIssues(models, { OPENAI_API_KEY: '' })[0]!.message).toMatch(/which is empty$/);
    expect(envKeyIssues(models, { OPENAI_API_KEY: 'sk' })).toEqual([]);
    expect(envKeyIssues(undefined, {})).toEqual([]);
  });
});

describe('resolveModel', () => {
  it('resolves the default, a named model (with "/" in its name), and nothing for an unknown one', () => {
    expect(resolveModel(models)).toMatchObject({ provider: 'local', model: 'llama3.2', ref: 'local/llama3.2' });
    expect(resolveModel(models, 'vllm/meta-llama/Llama-3-8B')).toMatchObject({ provider: 'vllm', model: 'meta-llama/Llama-3-8B' });
    expect(resolveModel(models, 'openai/gpt-5')).toBeUndefined();
    expect(resolveModel(models, 'nope/llama3.2')).toBeUndefined();
    expect(resolveModel(models, 'llama3.2')).toBeUndefined();
  });
});
