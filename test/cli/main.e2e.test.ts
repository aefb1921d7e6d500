/**
 * The `mayros` command tree, run as a real process.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { cleanEnv } from '../support/env.js';

describe('--help', () => {
  it.each([[[]], [['gateway']], [['gateway', 'run']], [['gateway', 'status']], [['config']], [['config', 'get']], [['config', 'validate']], [['config', 'path']]])('mayros %j --help', async (args) => {
    const r = await runCli([...args, '--help'], cleanEnv());
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: mayros/);
  });
});
