import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { parseConfigObject } from './parse.js';
import { parseModelRef } from './models-schema.js';

const local = { baseUrl: 'http://127.0.0.1:11434/v1', models: ['llama3.2'] };
const openai = { baseUrl: 'https://api.openai.com/v1', apiKey: { env: 'OPENAI_API_KEY' }, models: ['gpt-4.1-mini'] };

/** The issues (path, message, fix) a `models` section is refused with. */
function issues(models: unknown): { path: string; message: string; fix?: string }[] {
  try {
    parseConfigObject({ models });
  } catch (e) {
    if (e instanceof ConfigError) return [...e.issues];
    throw e;
  }
  throw new Error('expected the config to be refused');
}

describe('models config', () => {
  it('is optional: no section, no models', () => {
    expect(parseConfigObject({}).models).toBeUndefined();
  });

  it('accepts the example from the issue, with defaults filled in and the trailing slash dropped', () => {
    const m = parseConfigObject({ models: { providers: { local: { ...local, baseUrl: 'http://127.0.0.1:11434/v1/' }, openai }, default: 'local/llama3.2' } }).models!;
    expect(m).toEqual({ providers: { local, openai }, default: 'local/llama3.2', requestTimeoutSec: 120 });
  });

  it('accepts an inline key, a system prompt, an output limit and a timeout', () => {
    const m = parseConfigObject({ models: { providers: { o: { ...openai, apiKey: 'sk-inline' } }, default: 'o/gpt-4.1-mini', systemPrompt: 'Be brief.', maxOutputTokens: 512, requestTimeoutSec: 30 } }).models!;
    expect(m).toMatchObject({ systemPrompt: 'Be brief.', maxOutputTokens: 512, requestTimeoutSec: 30 });
    expect(m.providers.o!.apiKey).toBe('sk-inline');
  });

  it.each<[string, unknown, { path: string; message: RegExp; fix: RegExp }]>([
    ['a default model that is not listed', { providers: { local }, default: 'local/llama3.3' }, { path: 'models.default', message: /"local\/llama3.3" is not in the models list of provider "local"/, fix: /did you mean "local\/llama3.2"\?/ }],
    ['a default provider that does not exist', { providers: { local }, default: 'lcoal/llama3.2' }, { path: 'models.default', message: /names the provider "lcoal", which is not in models.providers/, fix: /did you mean "local\/llama3.2"\?/ }],
    ['a default without a provider', { providers: { local, openai }, default: 'something-else' }, { path: 'models.default', message: /must be "provider\/model"/, fix: /set it to one of: local\/llama3.2, openai\/gpt-4.1-mini/ }],
    ['no providers', { providers: {}, default: 'a/b' }, { path: 'models.providers', message: /no provider is configured/, fix: /add one, e\.g\. providers: \{ local:/ }],
    ['a provider name with "/"', { providers: { 'a/b': local }, default: 'a/b/llama3.2' }, { path: 'models.providers.a/b', message: /not a usable provider name/, fix: /no "\/"/ }],
    ['a mistyped key in a provider', { providers: { local: { baseURL: local.baseUrl, models: local.models } }, default: 'local/llama3.2' }, { path: 'models.providers.local.baseURL', message: /unknown key "baseURL"/, fix: /did you mean "baseUrl"\?/ }],
    ['a baseUrl that is not a URL', { providers: { local: { ...local, baseUrl: '127.0.0.1:11434' } }, default: 'local/llama3.2' }, { path: 'models.providers.local.baseUrl', message: /is not a URL|http:\/\/ or https:\/\//, fix: /base URL|http\(s\)/ }],
    ['a baseUrl with credentials', { providers: { local: { ...local, baseUrl: 'https://me:pw@example.com/v1' } }, default: 'local/llama3.2' }, { path: 'models.providers.local.baseUrl', message: /user name or password/, fix: /put the key in apiKey/ }],
    ['a baseUrl with a query', { providers: { local: { ...local, baseUrl: 'http://127.0.0.1/v1?key=x' } }, default: 'local/llama3.2' }, { path: 'models.providers.local.baseUrl', message: /query or fragment/, fix: /base path/ }],
    ['an empty models list', { providers: { local: { ...local, models: [] } }, default: 'local/llama3.2' }, { path: 'models.providers.local.models', message: /at least one model/, fix: /models.providers.local.models/ }],
    ['a model listed twice', { providers: { local: { ...local, models: ['a', 'a'] } }, default: 'local/a' }, { path: 'models.providers.local.models', message: /lists a model twice/, fix: /list each model once/ }],
    ['an empty inline key', { providers: { local: { ...local, apiKey: '' } }, default: 'local/llama3.2' }, { path: 'models.providers.local.apiKey', message: /must not be empty; remove apiKey/, fix: /apiKey/ }],
    ['a key reference of the wrong shape', { providers: { local: { ...local, apiKey: { name: 'X' } } }, default: 'local/llama3.2' }, { path: 'models.providers.local.apiKey', message: /\{ env: "NAME" \}/, fix: /apiKey/ }],
    ['a key variable that is not a variable name', { providers: { local: { ...local, apiKey: { env: 'MY-KEY' } } }, default: 'local/llama3.2' }, { path: 'models.providers.local.apiKey.env', message: /environment variable name/, fix: /apiKey\.env/ }],
    ['a zero timeout', { providers: { local }, default: 'local/llama3.2', requestTimeoutSec: 0 }, { path: 'models.requestTimeoutSec', message: />=\s*1/, fix: /requestTimeoutSec/ }],
    ['an unknown key in the section', { providers: { local }, default: 'local/llama3.2', systemPromt: 'x' }, { path: 'models.systemPromt', message: /unknown key/, fix: /did you mean "systemPrompt"\?/ }],
  ])('refuses %s, naming the field and the fix', (_name, models, want) => {
    const found = issues(models);
    expect(found).toContainEqual({ path: want.path, message: expect.stringMatching(want.message), fix: expect.stringMatching(want.fix) });
  });
});

describe('parseModelRef', () => {
  it.each([
    ['local/llama3.2', { provider: 'local', model: 'llama3.2' }],
    ['vllm/meta-llama/Llama-3-8B', { provider: 'vllm', model: 'meta-llama/Llama-3-8B' }],
    ['nolash', undefined],
    ['/model', undefined],
    ['provider/', undefined],
  ])('%s', (ref, want) => {
    expect(parseModelRef(ref)).toEqual(want);
  });
});
