/**
 * `mayros` on a Node.js line it does not support (src/cli/node-support.ts, wired in bin/mayros.js):
 * the real binary, with the runtime's version changed by a preload (no old Node is installed here),
 * refuses with one sentence before loading the CLI.
 */
import { describe, expect, it } from 'vitest';
import { runCommand } from '../support/cli.js';
import { cleanEnv } from '../support/env.js';
import { BIN } from '../support/paths.js';

/** Runs `mayros --help` as if this node reported `version` in process.versions.node. */
function helpAs(version: string) {
  const preload = `data:text/javascript,Object.defineProperty(process.versions,'node',{value:${JSON.stringify(version)}})`;
  return runCommand(process.execPath, ['--import', preload, BIN, '--help'], cleanEnv());
}

describe('mayros on an unsupported Node.js', () => {
  it.each(['18.20.4', '19.9.0'])('refuses Node %s with what to install, and loads nothing else', async (version) => {
    const r = await helpAs(version);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `mayros: Node.js ${version} (${process.execPath}) is not supported: Mayros Gateway needs Node.js 20 or newer ` +
        'and is tested on the LTS lines 20, 22 and 24. Install one of them, or put it first on PATH, and run mayros again.\n',
    );
  });

  it.each(['20.0.0', '25.0.0'])('starts on Node %s', async (version) => {
    const r = await helpAs(version);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: mayros/);
  });
});
