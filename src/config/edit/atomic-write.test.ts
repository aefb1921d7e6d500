import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './atomic-write.js';

const dir = mkdtempSync(join(tmpdir(), 'mayros-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('never lets a reader see a partial file: every read is the old bytes or the new', async () => {
    const file = join(dir, 'big.json');
    const size = 4 * 1024 * 1024;
    const seen = new Set<string>();
    for (let round = 0; round < 3; round++) {
      const old = (round % 2 ? 'B' : 'A').repeat(size);
      const next = (round % 2 ? 'A' : 'B').repeat(size);
      writeFileSync(file, old);
      let done = false;
      const reader = (async () => {
        // Bounded: the write finishes well within these reads.
        for (let i = 0; i < 2000 && !done; i++) {
          const text = await readFile(file, 'utf8');
          if (text === old) seen.add('old');
          else if (text === next) seen.add('new');
          else seen.add(`partial (${text.length} bytes)`);
        }
      })();
      await writeFileAtomic(file, next, { mode: 0o600, uid: statSync(file).uid, gid: statSync(file).gid });
      done = true;
      await reader;
      expect(readFileSync(file, 'utf8')).toBe(next);
    }
    expect([...seen].filter((s) => s.startsWith('partial'))).toEqual([]);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('leaves the target untouched and removes its temporary file when called off before the rename', async () => {
    const file = join(dir, 'keep.json');
    writeFileSync(file, 'old');
    await expect(writeFileAtomic(file, 'new', undefined, async () => Promise.reject(new Error('called off')))).rejects.toThrow('called off');
    expect(readFileSync(file, 'utf8')).toBe('old');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('writes a new file readable by its owner only', async () => {
    const file = join(dir, 'fresh.json');
    await writeFileAtomic(file, '{}');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
