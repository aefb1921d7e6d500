import { describe, expect, it } from 'vitest';
import { parseConfigObject } from '../config/parse.js';
import { auditConfig } from './audit.js';
import { checkModelKeyReadable, checkModelPlainHttp } from './models-checks.js';

const config = (providers: Record<string, unknown>) => parseConfigObject({ models: { providers, default: `${Object.keys(providers)[0]}/m` } });

describe('gateway.models_api_key_readable', () => {
  const inline = config({ a: { baseUrl: 'http://127.0.0.1:11434/v1', apiKey: 'sk-inline-0123456789', models: ['m'] }, b: { baseUrl: 'http://127.0.0.1:1/v1', apiKey: { env: 'B_KEY' }, models: ['m'] } });
  it.each([
    [0o644, 'every user of this machine'],
    [0o640, 'its group'],
    [0o604, 'every user of this machine'],
  ])('an inline key in a file with mode %o: warn (%s)', (mode, who) => {
    const [f] = checkModelKeyReadable(inline, { file: '/etc/mayros.json', fileMode: mode });
    expect(f).toMatchObject({ checkId: 'gateway.models_api_key_readable', severity: 'warn' });
    expect(f!.detail).toContain('models.providers.a.apiKey');
    expect(f!.detail).not.toContain('models.providers.b');
    expect(f!.detail).toContain(who);
    expect(JSON.stringify(f)).not.toContain('sk-inline');
  });
  it('nothing for a 0600 file, an unknown mode, or keys named by environment variable', () => {
    expect(checkModelKeyReadable(inline, { fileMode: 0o600 })).toEqual([]);
    expect(checkModelKeyReadable(inline, {})).toEqual([]);
    expect(checkModelKeyReadable(config({ b: { baseUrl: 'http://127.0.0.1:1/v1', apiKey: { env: 'B_KEY' }, models: ['m'] } }), { fileMode: 0o644 })).toEqual([]);
  });
});

describe('gateway.models_plain_http_remote', () => {
  it.each(['http://10.0.0.7:11434/v1', 'http://models.internal/v1', 'http://[fd00::5]:8000/v1'])('%s: warn', (baseUrl) => {
    expect(checkModelPlainHttp(config({ a: { baseUrl, models: ['m'] } }))).toMatchObject([{ checkId: 'gateway.models_plain_http_remote', severity: 'warn' }]);
  });
  it.each(['http://127.0.0.1:11434/v1', 'http://127.8.9.10/v1', 'http://localhost:8080/v1', 'http://[::1]:8000/v1', 'https://api.openai.com/v1', 'https://10.0.0.7/v1'])('%s: nothing', (baseUrl) => {
    expect(checkModelPlainHttp(config({ a: { baseUrl, models: ['m'] } }))).toEqual([]);
  });
  it('is part of the audit', () => {
    const ids = auditConfig(config({ a: { baseUrl: 'http://10.0.0.7/v1', apiKey: 'sk-x-0123456789', models: ['m'] } }), { sources: new Map(), fileMode: 0o644 }).map((f) => f.checkId);
    expect(ids).toEqual(expect.arrayContaining(['gateway.models_plain_http_remote', 'gateway.models_api_key_readable']));
  });
});
