/**
 * The suites' process helper (processes.ts): what a process printed before it was done is there
 * once `exited` resolves. Node emits 'exit' as soon as the process is gone, possibly before the
 * last output has been read from the pipes (here: a shell whose background job prints after the
 * shell exits), and a test that reads the output after stopping a process (a secret never printed,
 * a last log line) must see all of it; but a pipe held open for good must not hang the suite.
 */
import { describe, expect, it } from 'vitest';
import { startProcess } from './processes.js';

describe('startProcess', () => {
  it('has the output still in the pipes when the process exits once `exited` resolves', async () => {
    const p = startProcess('/bin/sh', ['-c', '(sleep 0.05; printf LATE) & printf EARLY; exit 3'], { name: 'late-printer' });
    expect(await p.exited).toEqual({ code: 3, signal: null });
    expect(p.stdout()).toBe('EARLYLATE');
  });

  it('still resolves `exited` when a left-behind process holds the pipes open', async () => {
    // The background job keeps the shell's stdout open long after the shell exited.
    const p = startProcess('/bin/sh', ['-c', 'sleep 120 & echo $!; exit 4'], { name: 'pipe-holder' });
    try {
      expect(await p.exited).toEqual({ code: 4, signal: null });
    } finally {
      const left = Number(p.stdout().trim());
      if (Number.isInteger(left) && left > 1) process.kill(left, 'SIGKILL');
    }
    expect(p.stdout()).toMatch(/^\d+\n$/);
  });
});
