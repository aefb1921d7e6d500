/**
 * Keeps docs/proxies.md honest about what each recipe was tested with: a proxy suite asserts the
 * page names the exact version the suite just ran.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { REPO_ROOT } from './paths.js';

export function expectDocsListVersion(proxy: string, version: string): void {
  const doc = readFileSync(join(REPO_ROOT, 'docs/proxies.md'), 'utf8');
  const row = doc.split('\n').find((l) => l.startsWith('|') && l.includes(`| ${proxy} |`));
  expect(row, `docs/proxies.md has no "| ${proxy} |" row in its "Tested with" table`).toBeDefined();
  expect(row, `docs/proxies.md says ${proxy} was tested with another version than this run's ${version}: update the table`).toContain(`\`${version}\``);
}
