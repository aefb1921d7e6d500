import { mkdirSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fileSignature, watchConfigFile, type ConfigWatcher } from './watch.js';

let dir = '';
let watcher: ConfigWatcher | undefined;
afterEach(() => {
  watcher?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function until(pred: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('watchConfigFile', () => {
  it('fires once per content change, for in-place writes and rename-replace alike, and not for touches', async () => {
    dir = mkdtempSync(join(tmpdir(), 'mayros-watch-'));
    const file = join(dir, 'mayros.json');
    writeFileSync(file, '{}');
    let calls = 0;
    watcher = watchConfigFile(file, () => calls++, { debounceMs: 30 });

    writeFileSync(file, '{ gateway: {} }');
    await until(() => calls === 1);
    writeFileSync(join(dir, 'new.tmp'), '{ gateway: { port: 1 } }');
    renameSync(join(dir, 'new.tmp'), file);
    await until(() => calls === 2);
    writeFileSync(file, '{ gateway: { port: 1 } }');
    writeFileSync(join(dir, 'unrelated.txt'), 'x');
    await new Promise((r) => setTimeout(r, 150));
    expect(calls).toBe(2);

    unlinkSync(file);
    await until(() => calls === 3);
  });

  it('debounces a burst of writes into one call', async () => {
    dir = mkdtempSync(join(tmpdir(), 'mayros-watch-'));
    const file = join(dir, 'mayros.json');
    writeFileSync(file, '0');
    let calls = 0;
    watcher = watchConfigFile(file, () => calls++, { debounceMs: 100 });
    for (let i = 1; i <= 10; i++) writeFileSync(file, String(i));
    await until(() => calls >= 1);
    await new Promise((r) => setTimeout(r, 250));
    expect(calls).toBe(1);
  });

  it('falls back to polling when the directory cannot be watched', async () => {
    dir = mkdtempSync(join(tmpdir(), 'mayros-watch-'));
    const file = join(dir, 'missing-dir', 'mayros.json');
    let degraded = '';
    let calls = 0;
    watcher = watchConfigFile(file, () => calls++, { pollMs: 50, debounceMs: 10, onWatchError: (e) => (degraded = e.code ?? '?') });
    expect(degraded).toBe('ENOENT');
    expect(calls).toBe(0);
    mkdirSync(join(dir, 'missing-dir'));
    writeFileSync(file, '{}');
    await until(() => calls === 1);
  });
});

describe('fileSignature', () => {
  it('tells content apart and names why a file cannot be read', () => {
    dir = mkdtempSync(join(tmpdir(), 'mayros-watch-'));
    const file = join(dir, 'a');
    expect(fileSignature(file)).toBe('unreadable:ENOENT');
    writeFileSync(file, 'x');
    const one = fileSignature(file);
    writeFileSync(file, 'y');
    expect(fileSignature(file)).not.toBe(one);
    expect(fileSignature(dir)).toBe('unreadable:EISDIR');
  });
});
