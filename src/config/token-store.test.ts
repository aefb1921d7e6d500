import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { loadConfig } from './load.js';
import { ensureToken, saveGeneratedToken } from './token-store.js';

const root = mkdtempSync(join(tmpdir(), 'mayros-token-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const resolvedIn = (stateDir: string) => loadConfig({ env: { MAYROS_STATE_DIR: stateDir } });

describe('ensureToken with defer', () => {
  it('generates a token without writing it; saveGeneratedToken writes it 0600 once', () => {
    const dir = join(root, `s${n++}`);
    const out = ensureToken(resolvedIn(dir), { defer: true });
    expect(out.generated).toBe(true);
    expect(out.unsaved).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(out.resolved.config.gateway.auth.token).toBe(out.unsaved);
    expect(out.resolved.sources.get('gateway.auth.token')).toBe('generated');
    expect(existsSync(out.file!)).toBe(false);

    expect(saveGeneratedToken(out.resolved, out.unsaved!)).toBe('written');
    expect(readFileSync(out.file!, 'utf8')).toBe(`${out.unsaved}\n`);
    expect(statSync(out.file!).mode & 0o777).toBe(0o600);
    // Another run that saves later finds the file and never overwrites it.
    expect(saveGeneratedToken(out.resolved, 'another-token')).toBe('exists');
    expect(readFileSync(out.file!, 'utf8')).toBe(`${out.unsaved}\n`);
    // The next run reads it back.
    const next = ensureToken(resolvedIn(dir), { defer: true });
    expect([next.generated, next.unsaved, next.resolved.config.gateway.auth.token]).toEqual([false, undefined, out.unsaved]);
  });

  it('refuses at once, before listening, when the state directory cannot be written', () => {
    const blocked = join(root, `f${n++}`);
    writeFileSync(blocked, 'a file where the state directory should be');
    expect(() => ensureToken(resolvedIn(join(blocked, 'state')), { defer: true })).toThrow(ConfigError);
  });
});
