import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/errors.js';
import { resolvedConfig } from '../config/load.js';
import { parseConfigObject } from '../config/parse.js';
import { startGateway } from './server.js';

describe('startGateway', () => {
  it('refuses a config its startup validation refuses, before listening (an embedder cannot skip it)', async () => {
    const resolved = resolvedConfig({ file: '/x.json', fileFound: true, stateDir: '/tmp/none', config: parseConfigObject({ gateway: { port: 0, bind: 'lan', auth: { mode: 'none' } } }), sources: new Map() });
    const started = startGateway({ resolved, uiDir: '/nonexistent' });
    await expect(started).rejects.toBeInstanceOf(ConfigError);
    await expect(started).rejects.toThrow('gateway.auth.mode');
  });
});
