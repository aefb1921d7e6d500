import { describe, expect, it } from 'vitest';
import { MODELS_SNIPPET, modelsView } from './models.js';
import { explainChat, quietEnd } from './explain.js';
import JSON5 from 'json5';
import { REASONS } from '../../../src/protocol/reasons.js';
import { modelsSchema } from '../../../src/config/models-schema.js';

describe('modelsView', () => {
  it('says chat needs a model server when the gateway has no models section', () => {
    expect(modelsView({ ok: false, error: { code: 'UNAVAILABLE' as never, reason: 'models_not_configured', message: 'x' } })).toEqual({ state: 'unconfigured' });
    expect(modelsView({ ok: true, payload: { configured: false, providers: [] } })).toEqual({ state: 'unconfigured' });
    expect(modelsView({ ok: true, payload: { providers: [] } })).toEqual({ state: 'unconfigured' });
  });
  it('names the default model and the providers that do not answer', () => {
    const v = modelsView({ ok: true, payload: { default: 'local/llama3.2', providers: [{ provider: 'local', ok: true }, { provider: 'openai', ok: false, reason: 'provider_auth_failed' }] } });
    expect(v).toEqual({ state: 'ok', model: 'local/llama3.2', providers: [{ provider: 'local', ok: true }, { provider: 'openai', ok: false, reason: 'provider_auth_failed' }] });
  });
  it('says nothing when the gateway does not say (older gateway, refusal)', () => {
    expect(modelsView({ ok: false, error: { code: 'UNKNOWN_METHOD', message: 'x' } })).toEqual({ state: 'unknown' });
  });
  it('shows three lines of config that the config schema accepts', () => {
    expect(MODELS_SNIPPET.split('\n')).toHaveLength(3);
    const { models } = JSON5.parse<{ models: unknown }>(`{${MODELS_SNIPPET}}`);
    expect(modelsSchema.parse(models)).toMatchObject({ default: 'local/llama3.2', providers: { local: { baseUrl: 'http://127.0.0.1:11434/v1', models: ['llama3.2'] } } });
    expect(MODELS_SNIPPET).toMatch(/providers: \{ local: \{ baseUrl: "http:\/\/127\.0\.0\.1:11434\/v1", models: \["llama3\.2"\] \} \}/);
    expect(MODELS_SNIPPET).toContain('default: "local/llama3.2"');
  });
});

describe('explainChat', () => {
  it('explains a provider failure from the reason table, with its docs entry', () => {
    const e = explainChat('provider_timeout');
    expect(e).toMatchObject({ wire: 'provider_timeout', reason: 'provider_timeout', message: REASONS.provider_timeout.message, fix: REASONS.provider_timeout.fix, docsHref: 'docs/troubleshooting.html#provider_timeout' });
  });
  it('fills the store codes\' file and directory with where they live', () => {
    const e = explainChat('store_full');
    expect(e.fix).not.toMatch(/\{file\}|\{dir\}/);
    expect(e.fix).toContain("the gateway's state directory");
  });
  it('keeps the gateway\'s own sentence, and explains an unknown code generically', () => {
    expect(explainChat('scope_missing', 'chat.send needs operator.write').detail).toBe('chat.send needs operator.write');
    expect(explainChat('brand_new_code').reason).toBeUndefined();
  });
  it('treats a stop by the owner as no failure', () => {
    expect(quietEnd('chat_aborted')).toBe(true);
    expect(quietEnd('provider_error')).toBe(false);
  });
});
