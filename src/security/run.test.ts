import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { explainRequest } from '../explain/explain.js';
import { loadForAudit, secretsWrittenIn, withStoredToken } from './run.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mayros-run-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string) => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

describe('loadForAudit', () => {
  it('turns an unreadable config into the gateway.config_invalid finding', () => {
    const r = loadForAudit({ configPath: write('bad.json5', '{ gateway: '), env: {} });
    expect(r.ok).toBe(false);
    expect(r.findings.map((f) => [f.checkId, f.severity])).toEqual([['gateway.config_invalid', 'critical']]);
  });

  it('turns a malformed environment variable into gateway.config_invalid too', () => {
    const r = loadForAudit({ configPath: write('ok.json5', '{}'), env: { MAYROS_GATEWAY_PORT: 'eighty' } });
    expect(r.findings[0]!.checkId).toBe('gateway.config_invalid');
    expect(r.findings[0]!.detail).toContain('MAYROS_GATEWAY_PORT');
  });

  it('sees a token left in the file even when the environment overrides it', () => {
    const file = write('m.json5', '{ gateway: { auth: { token: "file-token-0123456789-abcdef" } } }');
    expect(secretsWrittenIn(file)).toEqual(new Set(['gateway.auth.token']));
    const r = loadForAudit({ configPath: file, env: { MAYROS_GATEWAY_TOKEN: 'env-token-0123456789-abcdefgh', MAYROS_STATE_DIR: dir } });
    const f = r.findings.find((x) => x.checkId === 'gateway.auth_secret_in_file');
    expect(f!.detail).toContain('MAYROS_GATEWAY_TOKEN overrides it');
  });

  it('judges the token kept in the state directory, and never creates one', () => {
    const file = write('m.json5', '{}');
    const env = { MAYROS_STATE_DIR: dir };
    expect(loadForAudit({ configPath: file, env }).findings.map((f) => f.checkId)).toEqual([]);
    expect(existsSync(join(dir, 'gateway.token'))).toBe(false);
    writeFileSync(join(dir, 'gateway.token'), 'short\n');
    const f = loadForAudit({ configPath: file, env }).findings.find((x) => x.checkId === 'gateway.auth_token_short');
    expect(f!.detail).toContain('state directory');
  });
});

describe('withStoredToken', () => {
  it('lets auth explain compare against the stored token, like the gateway', () => {
    const resolved = loadConfig({ configPath: write('m.json5', '{}'), env: { MAYROS_STATE_DIR: dir } });
    const before = explainRequest(withStoredToken(resolved), { from: '127.0.0.1', bearer: 'stored-token-0123456789-abcdefghij' });
    expect(before.outcome.code).toBe('token_mismatch');
    expect(before.steps.some((s) => s.detail.includes('generates one on its first run'))).toBe(true);
    writeFileSync(join(dir, 'gateway.token'), 'stored-token-0123456789-abcdefghij\n');
    const after = explainRequest(withStoredToken(resolved), { from: '127.0.0.1', bearer: 'stored-token-0123456789-abcdefghij' });
    expect(after.outcome).toMatchObject({ ok: true, method: 'token' });
  });

  it('leaves a configured token and other modes alone', () => {
    writeFileSync(join(dir, 'gateway.token'), 'stored\n');
    const configured = loadConfig({ configPath: write('a.json5', '{}'), env: { MAYROS_STATE_DIR: dir, MAYROS_GATEWAY_TOKEN: 'from-env' } });
    expect(withStoredToken(configured)).toBe(configured);
    const tp = loadConfig({ configPath: write('b.json5', '{ gateway: { auth: { mode: "none" } } }'), env: { MAYROS_STATE_DIR: dir } });
    expect(withStoredToken(tp)).toBe(tp);
  });
});
