import { describe, expect, it } from 'vitest';
import { loadConfig, type ValueSource } from './load.js';
import { getPath } from './tree.js';
import { sourceOf } from './sources.js';
import { parseConfigObject } from './parse.js';

describe('sourceOf', () => {
  const config = parseConfigObject({ gateway: { port: 9999, trustedProxies: ['127.0.0.1'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-user' } } } });
  const sources = new Map<string, ValueSource>([
    ['gateway.port', 'file'],
    ['gateway.trustedProxies', 'file'],
    ['gateway.auth.mode', 'file'],
    ['gateway.auth.trustedProxy.userHeader', 'file'],
  ]);
  const at = (path: string) => sourceOf(getPath(config, path), path, sources);

  it.each([
    ['gateway.port', 'file'],
    ['gateway.trustedProxies', 'file'],
    ['gateway.bind', 'default'],
    ['gateway.limits', 'default'],
    ['gateway.auth.trustedProxy', 'mixed: file, default'],
    ['gateway.auth', 'mixed: file, default'],
  ])('%s -> %s', (path, want) => {
    expect(at(path)).toBe(want);
  });

  it('an object set entirely from the file is "file"', () => {
    const c = parseConfigObject({ gateway: { controlUi: { enabled: false, allowedOrigins: [] } } });
    const s = new Map<string, ValueSource>([['gateway.controlUi.enabled', 'file'], ['gateway.controlUi.allowedOrigins', 'file']]);
    expect(sourceOf(getPath(c, 'gateway.controlUi'), 'gateway.controlUi', s)).toBe('file');
  });

  it('names flag and env, strongest first, as loadConfig records them', () => {
    const r = loadConfig({ configPath: '/nonexistent/mayros.json', env: { MAYROS_STATE_DIR: '/nonexistent', MAYROS_GATEWAY_TOKEN: 'env-token-value' }, flags: { port: 1234, bind: 'loopback' } });
    expect(sourceOf(r.config.gateway.port, 'gateway.port', r.sources)).toBe('flag');
    expect(sourceOf(r.config.gateway.bind, 'gateway.bind', r.sources)).toBe('flag');
    expect(sourceOf(r.config.gateway.auth.token, 'gateway.auth.token', r.sources)).toBe('env');
    expect(sourceOf(r.config.gateway.auth, 'gateway.auth', r.sources)).toBe('mixed: env, default');
    expect(sourceOf(r.config.gateway, 'gateway', r.sources)).toBe('mixed: flag, env, default');
  });

  it('an unset optional key is "default"', () => {
    expect(at('gateway.auth.token')).toBe('default');
  });
});
