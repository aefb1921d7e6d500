// usage: node .ci/check-addons.js
//
// Loads every native addon that `npm rebuild` compiled (node_modules/**/build/{Release,Debug}/*.node)
// in the running node, and exits 1 naming each one that does not load: an addon built for another
// runtime fails here ("compiled against a different Node.js version") instead of inside a test.
// Prebuilt Node-API binaries shipped in packages are not rebuilt per runtime and are not checked,
// nor are other shared objects a package builds beside its addon (better-sqlite3 builds a SQLite
// extension, test_extension.node, that only SQLite loads).
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const require = createRequire(import.meta.url);

/** @param {string} dir @param {string[]} found */
function walk(dir, found) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const full = join(dir, e.name);
    if (e.name === 'build') {
      for (const kind of ['Release', 'Debug']) {
        try {
          for (const f of readdirSync(join(full, kind))) if (f.endsWith('.node')) found.push(join(full, kind, f));
        } catch {
          /* no such build */
        }
      }
    } else walk(full, found);
  }
  return found;
}

/**
 * A Node addon names Node's registration entry points in its dynamic symbols: the static
 * registration call (NODE_MODULE), the per-ABI initializer (NODE_MODULE_INIT) or Node-API's.
 * @param {string} file
 */
function isNodeAddon(file) {
  const bytes = readFileSync(file);
  return ['node_module_register', 'node_register_module_v', 'napi_register_module_v'].some((name) => bytes.includes(name));
}

const built = walk(resolve('node_modules'), []);
const addons = built.filter(isNodeAddon);
const failed = [];
for (const file of addons) {
  try {
    require(file);
  } catch (err) {
    failed.push(`${file}: ${err instanceof Error ? err.message.replace(/\s+/g, ' ') : String(err)}`);
  }
}
const others = built.length - addons.length;
process.stdout.write(
  `check-addons: ${addons.length} compiled addon(s), ${addons.length - failed.length} load in Node ${process.version}` +
    `${others ? ` (${others} other shared object(s) skipped: ${built.filter((f) => !addons.includes(f)).join(', ')})` : ''}\n`,
);
if (failed.length) {
  process.stderr.write(`check-addons: these do not load in Node ${process.version}:\n  ${failed.join('\n  ')}\n`);
  process.exit(1);
}
