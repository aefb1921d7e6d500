#!/usr/bin/env node
/**
 * Keeps `prepare` from building dist/ twice. npm runs `prepare` on `npm ci`, and again when
 * `npx mayros` first runs inside a checkout (npx installs the checkout into its cache as a
 * linked package and runs its `prepare`, with the output hidden): a silent second build of
 * 20-30 s. `npm run build` records a fingerprint of everything the build reads; `prepare` builds
 * only when that fingerprint is missing or differs, and says what it is doing either way.
 *
 *   node scripts/build-stamp.mjs write    after a build: record the fingerprint (dist/.build-inputs)
 *   node scripts/build-stamp.mjs prepare  build unless dist/ matches the sources
 *
 * Runs from the package root (npm sets the working directory).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** What the build reads: the TypeScript sources, the UI, the docs built into it, the manifests. */
const INPUT_DIRS = ['src', 'ui', 'docs'];
const INPUT_FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];
/** Present after a complete build (tsc, then vite). */
const OUTPUTS = ['dist/cli/main.js', 'dist/ui/index.html'];
const STAMP = 'dist/.build-inputs';

/** Files under `rel` (relative to `root`), as relative paths; tests and node_modules left out. */
function walk(root, rel, out) {
  const dir = join(root, rel);
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = `${rel}/${e.name}`;
    if (e.isDirectory()) {
      if (e.name !== 'node_modules') walk(root, p, out);
    } else if (e.isFile() && !e.name.endsWith('.test.ts')) {
      out.push(p);
    }
  }
}

/** sha256 over every input's relative path and content, in a fixed order. */
export function fingerprint(root = '.') {
  const files = [];
  for (const d of INPUT_DIRS) walk(root, d, files);
  for (const f of INPUT_FILES) if (existsSync(join(root, f))) files.push(f);
  files.sort();
  const h = createHash('sha256');
  for (const f of files) {
    h.update(`${f}\0`);
    h.update(readFileSync(join(root, f)));
    h.update('\0');
  }
  return h.digest('hex');
}

function upToDate(root = '.') {
  if (!OUTPUTS.every((f) => existsSync(join(root, f)))) return false;
  let recorded;
  try {
    recorded = readFileSync(join(root, STAMP), 'utf8').trim();
  } catch {
    return false;
  }
  return recorded === fingerprint(root);
}

/**
 * A line for the person waiting. npm hides the output of the `prepare` it runs for `npx`, so when
 * stderr is not a terminal the line also goes to the controlling terminal, if there is one.
 */
function say(line) {
  process.stderr.write(`${line}\n`);
  if (process.stderr.isTTY) return;
  try {
    const fd = openSync('/dev/tty', 'w');
    writeSync(fd, `${line}\n`);
    closeSync(fd);
  } catch {
    /* no terminal (CI, a service): stderr is all there is */
  }
}

const mode = process.argv[2];
if (mode === 'write') {
  writeFileSync(STAMP, `${fingerprint()}\n`);
} else if (mode === 'prepare') {
  if (upToDate()) {
    say('mayros: dist/ is up to date with the sources; skipping the build (`npm run build` forces one)');
  } else {
    say('mayros: building dist/ (TypeScript and the Control UI); this takes 20-30 s on a small machine...');
    const started = Date.now();
    const npm = process.env.npm_execpath;
    const r = npm ? spawnSync(process.execPath, [npm, 'run', 'build'], { stdio: 'inherit' }) : spawnSync('npm', ['run', 'build'], { stdio: 'inherit', shell: process.platform === 'win32' });
    if (r.status !== 0) {
      say('mayros: the build failed; see the errors above');
      process.exit(r.status ?? 1);
    }
    say(`mayros: built dist/ in ${Math.round((Date.now() - started) / 1000)} s`);
  }
} else {
  process.stderr.write('usage: node scripts/build-stamp.mjs write|prepare\n');
  process.exit(2);
}
