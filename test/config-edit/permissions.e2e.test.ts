/**
 * A config file the gateway user cannot replace as it is: the edit is refused with
 * config_write_failed naming what failed, and the file is left byte for byte as it was. Runs the
 * built editor (`dist/config/edit`, built by `npm test`) in a child process as an unprivileged user,
 * since root may give files away and ignores file modes.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDir } from '../support/tmp.js';
import { moduleArgs, OTHER_USER } from '../store/child.js';

const DIST_EDIT = fileURLToPath(new URL('../../dist/config/edit/index.js', import.meta.url));
const root = makeTempDir('config-edit-perm');
afterAll(() => removeTempDir(root));

const CONFIG = '{\n  "gateway": {\n    "port": 18789 // hand-written\n  }\n}\n';

/** Patches `file` (gateway.port = 9999) from its current hash as the unprivileged user; the outcome. */
function patchAsGatewayUser(file: string): Promise<{ ok: boolean; refusal?: { code: string; detail?: string } }> {
  if (!existsSync(DIST_EDIT)) throw new Error(`${DIST_EDIT} is missing: run "npm run build" (npm test does) before this suite`);
  const source = `
const edit = await import(${JSON.stringify(DIST_EDIT)});
const { createHash } = await import('node:crypto');
const { readFileSync } = await import('node:fs');
const file = process.env.FILE;
const baseHash = createHash('sha256').update(readFileSync(file)).digest('hex');
const r = await edit.patchConfigFile(file, { baseHash, patch: { gateway: { port: 9999 } } }, { load: { env: { MAYROS_STATE_DIR: process.env.STATE } } });
console.log(JSON.stringify(r));`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, moduleArgs(source), { env: { PATH: process.env.PATH ?? '', FILE: file, STATE: root }, timeout: 10_000, ...OTHER_USER }, (err, stdout, stderr) => {
      if (err) reject(new Error(`editor child failed: ${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout));
    });
  });
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('a config file the gateway user cannot replace', () => {
  it('owned by another user (only root can give a file away): config_write_failed, the file unchanged', async () => {
    expect(OTHER_USER, 'this suite runs as root: only root can make a file another user owns').toBeDefined();
    const dir = join(root, 'other-owner');
    mkdirSync(dir, { mode: 0o755 });
    chownSync(dir, OTHER_USER!.uid, OTHER_USER!.gid);
    const file = join(dir, 'mayros.json');
    writeFileSync(file, CONFIG);
    chownSync(file, 0, 0);
    chmodSync(file, 0o666);
    const before = readFileSync(file);
    const r = await patchAsGatewayUser(file);
    expect(r).toMatchObject({ ok: false, refusal: { code: 'config_write_failed', detail: expect.stringMatching(/cannot keep the file's owner 0:0 \(EPERM\)/) } });
    expect(sha256(readFileSync(file))).toBe(sha256(before));
    expect(statSync(file).uid).toBe(0);
    expect(readdirSync(dir)).toEqual(['mayros.json']);
  });

  it('in a directory it cannot write (the new file must be created beside the old): config_write_failed naming the directory', async () => {
    const dir = join(root, 'read-only-dir');
    mkdirSync(dir, { mode: 0o755 });
    const file = join(dir, 'mayros.json');
    writeFileSync(file, CONFIG);
    if (OTHER_USER) chownSync(file, OTHER_USER.uid, OTHER_USER.gid);
    else chmodSync(dir, 0o555);
    const before = readFileSync(file);
    const r = await patchAsGatewayUser(file);
    chmodSync(dir, 0o755);
    expect(r).toMatchObject({ ok: false, refusal: { code: 'config_write_failed', detail: `cannot create a file in ${dir} (EACCES)` } });
    expect(sha256(readFileSync(file))).toBe(sha256(before));
    expect(readdirSync(dir)).toEqual(['mayros.json']);
  });

  it('and, the directory made its own, the same edit goes through', async () => {
    const dir = join(root, 'own-dir');
    mkdirSync(dir, { mode: 0o755 });
    if (OTHER_USER) chownSync(dir, OTHER_USER.uid, OTHER_USER.gid);
    const file = join(dir, 'mayros.json');
    writeFileSync(file, CONFIG);
    if (OTHER_USER) chownSync(file, OTHER_USER.uid, OTHER_USER.gid);
    const r = await patchAsGatewayUser(file);
    expect(r).toMatchObject({ ok: true, written: true, changedPaths: ['gateway.port'] });
    expect(readFileSync(file, 'utf8')).toBe(CONFIG.replace('18789', '9999'));
  });
});
