/**
 * Each recipe README shows `mayros security audit` output for its config; this keeps that output
 * exactly what the command prints today.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { cleanEnv } from '../support/env.js';
import { REPO_ROOT } from '../support/paths.js';
import { makeTempDir } from '../support/tmp.js';

const recipes = readdirSync(join(REPO_ROOT, 'examples/proxies'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

describe('recipe READMEs show the real audit output', () => {
  it.each(recipes)('%s', async (name) => {
    const readme = readFileSync(join(REPO_ROOT, 'examples/proxies', name, 'README.md'), 'utf8');
    const m = /`(?:npx )?mayros security audit --config (\S+)` on this recipe's config prints[^\n]*\n\n```text\n([\s\S]*?)\n```/.exec(readme);
    expect(m, 'README has no audit output block').not.toBeNull();
    const r = await runCli(['security', 'audit', '--config', m![1]!], cleanEnv({ MAYROS_STATE_DIR: makeTempDir('cli') }));
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split(REPO_ROOT).join('')).toBe(m![2]);
  });
});
