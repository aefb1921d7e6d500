import { describe, expect, it } from 'vitest';
import type { ModelsConfig } from '../config/models-schema.js';
import type { ChatLogger } from './runs.js';
import { changesModels, warnAboutModelKeys } from './startup.js';

describe('changesModels', () => {
  it.each([
    [['models.providers.remote.baseUrl'], true],
    [['chat.sendsPerMinute', 'models.default'], true],
    [['models'], true],
    [['gateway.auth.mode'], false],
    [['modelsExtra'], false],
    [[], false],
  ])('%j -> %s', (changed, expected) => {
    expect(changesModels(changed)).toBe(expected);
  });
});

describe('warnAboutModelKeys', () => {
  it('warns once per provider whose { env } key is unset or empty, naming the field, never the keys', () => {
    const lines: Array<{ obj: Record<string, unknown>; msg: string }> = [];
    const logger: ChatLogger = { warn: (obj, msg) => void lines.push({ obj: obj as Record<string, unknown>, msg }), info: () => undefined, error: () => undefined };
    const models: ModelsConfig = {
      providers: {
        unset: { baseUrl: 'http://127.0.0.1:1/v1', apiKey: { env: 'K_UNSET' }, models: ['m'] },
        empty: { baseUrl: 'http://127.0.0.1:1/v1', apiKey: { env: 'K_EMPTY' }, models: ['m'] },
        set: { baseUrl: 'http://127.0.0.1:1/v1', apiKey: { env: 'K_SET' }, models: ['m'] },
        inline: { baseUrl: 'http://127.0.0.1:1/v1', apiKey: 'sk-inline-0123', models: ['m'] },
      },
      default: 'unset/m',
      requestTimeoutSec: 120,
    };
    const n = warnAboutModelKeys(models, { K_EMPTY: '', K_SET: 'sk-env-4567' }, logger);
    expect(n).toBe(2);
    expect(lines.map((l) => [l.obj.event, l.obj.field])).toEqual([
      ['models_key_unset', 'models.providers.unset.apiKey'],
      ['models_key_unset', 'models.providers.empty.apiKey'],
    ]);
    expect(JSON.stringify(lines)).not.toMatch(/sk-inline|sk-env/);
  });
});
