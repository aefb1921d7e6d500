/**
 * The chat database the gateway user may not use: each case is a StoreError naming the file and
 * the fix (never a crash), and following the fix makes the database open. Runs the built store in a
 * child process as an unprivileged user when the suite is root (root ignores file modes).
 */
import { chmodSync, chownSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openChatStore } from '../../src/store/index.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';
import { OTHER_USER, runStoreScript } from '../support/store-child.js';

interface Outcome {
  ok: boolean;
  name?: string;
  code?: string;
  detail?: string;
  message?: string;
}

const OPEN = `
try {
  const { store: s } = store.openChatStore(process.env.DB);
  s.close();
  console.log(JSON.stringify({ ok: true }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, name: e.name, code: e.code, detail: e.detail, message: e.message }));
}`;

const root = makeTempDir('store-perm');
afterAll(() => {
  chmodRecursive(root);
  removeTempDir(root);
});
function chmodRecursive(dir: string): void {
  for (const d of ['ro-dir', 'no-write-dir', 'unreadable']) {
    try {
      chmodSync(join(dir, d), 0o755);
    } catch {
      /* not made */
    }
  }
}

/** A directory the child user owns (or the suite's own when not root). */
function ownDir(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { mode: 0o755 });
  if (OTHER_USER) chownSync(dir, OTHER_USER.uid, OTHER_USER.gid);
  return dir;
}

const openAsGatewayUser = async (db: string): Promise<Outcome> => JSON.parse(await runStoreScript(OPEN, { DB: db })) as Outcome;

describe('a chat database the gateway user cannot use', () => {
  it('an unreadable file: store_permission_denied, naming the file and the fix', async () => {
    const dir = ownDir('unreadable');
    const db = join(dir, 'mayros.db');
    openChatStore(db).store.close();
    chmodSync(db, 0o000);
    if (OTHER_USER) chownSync(db, 0, 0);
    const r = await openAsGatewayUser(db);
    expect(r).toMatchObject({ ok: false, name: 'StoreError', code: 'store_permission_denied', detail: 'EACCES' });
    expect(r.message).toContain(`chat store ${db}:`);
    expect(r.message).toContain(`fix: give the user the gateway runs as read and write access to ${db}`);
    if (OTHER_USER) chownSync(db, OTHER_USER.uid, OTHER_USER.gid);
    chmodSync(db, 0o600);
    expect(await openAsGatewayUser(db)).toEqual({ ok: true });
  });

  it('a new database in a directory it cannot write: store_permission_denied', async () => {
    const dir = ownDir('no-write-dir');
    chmodSync(dir, 0o555);
    const db = join(dir, 'mayros.db');
    const r = await openAsGatewayUser(db);
    expect(r).toMatchObject({ ok: false, code: 'store_permission_denied', detail: 'EACCES' });
    expect(r.message).toContain(db);
    chmodSync(dir, 0o755);
    expect(await openAsGatewayUser(db)).toEqual({ ok: true });
  });

  it('an existing database in a read-only directory (no room for -wal/-shm): store_read_only', async () => {
    const dir = ownDir('ro-dir');
    const db = join(dir, 'mayros.db');
    expect(await openAsGatewayUser(db)).toEqual({ ok: true });
    chmodSync(dir, 0o555);
    const r = await openAsGatewayUser(db);
    expect(r).toMatchObject({ ok: false, code: 'store_read_only' });
    expect(r.detail).toMatch(/^SQLITE_READONLY/);
    expect(r.message).toContain(`fix: make ${dir} writable by the gateway user`);
    chmodSync(dir, 0o755);
    expect(await openAsGatewayUser(db)).toEqual({ ok: true });
  });
});
