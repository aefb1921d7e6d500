/**
 * `npm ci` builds dist/ through `prepare`; `npx mayros` in the checkout runs `prepare` again (on a
 * linked copy, output hidden). The second must not rebuild: scripts/build-stamp.mjs builds only
 * when the sources differ from what dist/ was built from, and says which it does.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, REPO_ROOT } from '../support/paths.js';
import { makeTempDir } from '../support/tmp.js';

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

/** A stand-in project: its "build" counts its runs and writes the outputs the stamp expects. */
function project(): string {
  const dir = makeTempDir('prepare');
  mkdirSync(join(dir, 'scripts'));
  copyFileSync(join(REPO_ROOT, 'scripts', 'build-stamp.mjs'), join(dir, 'scripts', 'build-stamp.mjs'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'stand-in', private: true, scripts: { build: 'node build.mjs && node scripts/build-stamp.mjs write' } }));
  writeFileSync(
    join(dir, 'build.mjs'),
    `import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
     appendFileSync('builds.log', 'built\\n');
     mkdirSync('dist/cli', { recursive: true }); mkdirSync('dist/ui', { recursive: true });
     writeFileSync('dist/cli/main.js', ''); writeFileSync('dist/ui/index.html', '');`,
  );
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src', 'a.ts'), 'export const a = 1;\n');
  return dir;
}

function prepare(dir: string) {
  const r = spawnSync(process.execPath, ['scripts/build-stamp.mjs', 'prepare'], { cwd: dir, encoding: 'utf8', timeout: 60_000, env: { ...process.env } });
  const builds = readFileSync(join(dir, 'builds.log'), { encoding: 'utf8', flag: 'a+' }).split('\n').filter(Boolean).length;
  return { code: r.status, stderr: r.stderr, builds };
}

describe('prepare builds once', () => {
  it('is what `prepare` runs, and `build` records the stamp', () => {
    expect(pkg.scripts.prepare).toBe('node scripts/build-stamp.mjs prepare');
    expect(pkg.scripts.build).toMatch(/ && node scripts\/build-stamp\.mjs write$/);
  });

  it('builds when dist/ is missing or stale, skips when it matches the sources, and says which', () => {
    const dir = project();
    const first = prepare(dir);
    expect([first.code, first.builds]).toEqual([0, 1]);
    expect(first.stderr).toContain('mayros: building dist/ (TypeScript and the Control UI)');
    expect(first.stderr).toMatch(/mayros: built dist\/ in \d+ s/);

    const second = prepare(dir);
    expect([second.code, second.builds]).toEqual([0, 1]);
    expect(second.stderr).toContain('mayros: dist/ is up to date with the sources; skipping the build');

    // A test file is not a build input; a source file is.
    writeFileSync(join(dir, 'src', 'a.test.ts'), 'test\n');
    expect(prepare(dir).builds).toBe(1);
    writeFileSync(join(dir, 'src', 'a.ts'), 'export const a = 2;\n');
    expect(prepare(dir).builds).toBe(2);
    expect(prepare(dir).builds).toBe(2);
  });
});

describe('bin/mayros.js without dist/', () => {
  it('says to build instead of a module-not-found trace', () => {
    const dir = makeTempDir('nobuild');
    mkdirSync(join(dir, 'bin'));
    copyFileSync(BIN, join(dir, 'bin', 'mayros.js'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    const r = spawnSync(process.execPath, [join(dir, 'bin', 'mayros.js'), '--version'], { encoding: 'utf8', timeout: 15_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('mayros: the CLI is not built (dist/ is missing): run `npm ci` (which builds it) or `npm run build` in the checkout\n');
  });
});
