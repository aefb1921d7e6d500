/**
 * `mayros security audit` reads the config file's mode for the models checks: an inline model key
 * in a file others can read is reported, the same file made 0600 is not; a plain-http model
 * server on another machine is reported either way.
 */
import { chmodSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { writeConfig } from '../support/config-file.js';
import { cleanEnv } from '../support/env.js';
import { makeTempDir } from '../support/tmp.js';

describe('mayros security audit: the models section', () => {
  it('reports an inline key in a file others can read, and a plain-http model server that is not loopback; never the key', async () => {
    const dir = makeTempDir('audit-models');
    const file = writeConfig(dir, { models: { providers: { far: { baseUrl: 'http://10.1.2.3:11434/v1', apiKey: 'sk-audit-secret-0123456789', models: ['m'] } }, default: 'far/m' } });
    const env = cleanEnv({ MAYROS_STATE_DIR: dir });
    chmodSync(file, 0o644);
    const open = await runCli(['security', 'audit', '--config', file, '--json'], env);
    const ids = JSON.parse(open.stdout).findings.map((f: { checkId: string }) => f.checkId);
    expect(ids).toEqual(expect.arrayContaining(['gateway.models_api_key_readable', 'gateway.models_plain_http_remote']));
    expect(open.stdout).not.toContain('sk-audit-secret');
    chmodSync(file, 0o600);
    const closed = JSON.parse((await runCli(['security', 'audit', '--config', file, '--json'], env)).stdout).findings.map((f: { checkId: string }) => f.checkId);
    expect(closed).not.toContain('gateway.models_api_key_readable');
    expect(closed).toContain('gateway.models_plain_http_remote');
  });
});
