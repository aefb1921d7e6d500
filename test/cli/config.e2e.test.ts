/**
 * `mayros config`, run as a real process: path, get (with each value's source; secrets hidden,
 * a model provider's API key never printed whatever path is asked, issue 15), validate.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

describe('mayros config', () => {
  it('path follows --config > MAYROS_CONFIG_PATH > state dir', async () => {
    const dir = makeTempDir('cli');
    expect((await runCli(['config', 'path'], cleanEnv({ MAYROS_STATE_DIR: dir }))).stdout.trim()).toBe(join(dir, 'mayros.json'));
    expect((await runCli(['config', 'path'], cleanEnv({ MAYROS_STATE_DIR: dir, MAYROS_CONFIG_PATH: '/etc/m.json' }))).stdout.trim()).toBe('/etc/m.json');
    expect((await runCli(['config', 'path', '--config', '/x/y.json'], cleanEnv({ MAYROS_CONFIG_PATH: '/etc/m.json' }))).stdout.trim()).toBe('/x/y.json');
  });

  it('get shows values with their source and hides secrets', async () => {
    const dir = makeTempDir('cli');
    const file = writeConfig(dir, { gateway: { port: 9999, auth: { token: 'file-secret-abcdef' } } });
    const env = cleanEnv({ MAYROS_STATE_DIR: dir });
    expect((await runCli(['config', 'get', 'gateway.port', '--config', file], env)).stdout.trim()).toBe('9999  (file)');
    expect((await runCli(['config', 'get', 'gateway.bind', '--config', file], env)).stdout.trim()).toBe('loopback  (default)');
    const secret = await runCli(['config', 'get', 'gateway.auth.token', '--config', file], env);
    expect(secret.stdout).toContain('(set, hidden)');
    const all = await runCli(['config', 'get', '--config', file], env);
    expect(JSON.parse(all.stdout).gateway.auth.token).toBe('(set, hidden)');
    expect(all.stdout + secret.stdout).not.toContain('file-secret-abcdef');
    expect((await runCli(['config', 'get', 'gateway.nope', '--config', file], env)).code).toBe(1);
  });

  it('get names each source: file, env, default, generated, and mixed for an object', async () => {
    const dir = makeTempDir('cli');
    const file = writeConfig(dir, { gateway: { port: 9999, trustedProxies: ['127.0.0.1'], auth: { trustedProxy: { userHeader: 'X-User' } } } });
    const env = cleanEnv({ MAYROS_STATE_DIR: dir });
    const get = async (key: string, e = env) => (await runCli(['config', 'get', key, '--config', file], e)).stdout.trim();
    expect(await get('gateway.trustedProxies')).toBe('["127.0.0.1"]  (file)');
    expect(await get('gateway.auth.trustedProxy.userHeader')).toBe('x-user  (file)');
    expect(await get('gateway.auth.trustedProxy')).toMatch(/^\{"userHeader":"x-user",.*\}  \(mixed: file, default\)$/);
    expect(await get('gateway.limits')).toMatch(/  \(default\)$/);
    expect(await get('gateway.port', cleanEnv({ MAYROS_STATE_DIR: dir, MAYROS_GATEWAY_PORT: '7777' }))).toBe('7777  (env)');
    expect(await get('gateway.auth.token')).toBe('(not set)  (default)');
    expect(await get('gateway.auth.token', cleanEnv({ MAYROS_STATE_DIR: dir, MAYROS_GATEWAY_TOKEN: 'env-token-abcdefghijklmnop' }))).toBe('(set, hidden)  (env)');
    // A token the gateway generated into the state directory is the one in force.
    writeFileSync(join(dir, 'gateway.token'), 'generated-token-abcdefghijklmnopqrstuvwxyz0123\n', { mode: 0o600 });
    expect(await get('gateway.auth.token')).toBe('(set, hidden)  (generated)');
    const all = await runCli(['config', 'get', '--config', file], env);
    expect(JSON.parse(all.stdout).gateway.auth.token).toBe('(set, hidden)');
    expect(all.stdout).not.toContain('generated-token');
  });

  it('validate passes a good file and fails a bad one with the field and fix', async () => {
    const dir = makeTempDir('cli');
    const env = cleanEnv({ MAYROS_STATE_DIR: dir });
    const good = writeConfig(dir, '{ gateway: { trustedProxies: ["127.0.0.1"], auth: { mode: "trusted-proxy", trustedProxy: { userHeader: "x-forwarded-user" } } } }', 'good.json5');
    const ok = await runCli(['config', 'validate', '--config', good], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('config ok');
    const bad = writeConfig(dir, '{ gateway: { auth: { mode: "trusted-proxy" } } }', 'bad.json5');
    const r = await runCli(['config', 'validate', '--config', bad], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('gateway.trustedProxies');
    expect(r.stderr).toContain('gateway.auth.trustedProxy.userHeader');
    const everyone = writeConfig(dir, '{ gateway: { trustedProxies: ["0.0.0.0/0"], auth: { mode: "trusted-proxy", trustedProxy: { userHeader: "x-forwarded-user" } } } }', 'everyone.json5');
    const e = await runCli(['config', 'validate', '--config', everyone], env);
    expect(e.code).toBe(2);
    expect(e.stderr).toContain('gateway.trustedProxies[0]: "0.0.0.0/0" matches every IPv4 address');
    expect(e.stderr).toMatch(/fix: remove it and list only the address your proxy connects from/);
  });
});
