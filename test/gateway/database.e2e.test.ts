import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway-inproc.js';
import { httpRequest } from '../support/http-client.js';
import { waitFor } from '../support/wait.js';

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

const LOOPBACK_TOKEN = { bind: 'loopback', port: 0, auth: { mode: 'token', token: 'database-test-token-0123456789' } };

describe('the database at startup', () => {
  it('is created 0600 in the state directory and migrated, with one store_opened line', async () => {
    gw = await startTestGateway(LOOPBACK_TOKEN);
    const db = gw.gw.ctx.database;
    expect(db.state).toBe('open');
    if (db.state !== 'open') return;
    expect(db.file).toBe(join(gw.dir, 'mayros.db'));
    expect(statSync(db.file).mode & 0o777).toBe(0o600);
    const opened = gw.logs.filter((l) => l.event === 'store_opened');
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ file: db.file, recovered: 0 });
    expect(db.db.prepare('PRAGMA user_version').pluck().get()).toBeGreaterThanOrEqual(3);
    // Checkpoints run on the gateway's timer, never inside a commit that someone waits for.
    expect(db.db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
  });

  it('checkpoints the write-ahead log on its timer', async () => {
    gw = await startTestGateway(LOOPBACK_TOKEN);
    const db = gw.gw.ctx.database;
    if (db.state !== 'open') throw new Error('no database');
    db.db.exec('CREATE TABLE scratch (x TEXT)');
    const insert = db.db.prepare('INSERT INTO scratch VALUES (?)');
    for (let i = 0; i < 200; i++) insert.run('x'.repeat(2000));
    // The commits stay in the write-ahead log (the automatic checkpoint would have copied them
    // into the database file at 1,000 pages) until the timer's checkpoint, within about a second.
    const before = statSync(db.file).size;
    expect(statSync(`${db.file}-wal`).size).toBeGreaterThan(200 * 2000);
    await waitFor(() => statSync(db.file).size > before + 200 * 2000, 3000, 'the timer to checkpoint into the database file');
  });

  it('a file that is not a database: the gateway still serves, and says which file and what to do', async () => {
    gw = await startTestGateway(LOOPBACK_TOKEN, {}, (dir) => writeFileSync(join(dir, 'mayros.db'), 'this is not an SQLite file, it is plain text\n'.repeat(200), { mode: 0o600 }));
    const db = gw.gw.ctx.database;
    expect(db.state).toBe('unavailable');
    if (db.state !== 'unavailable') return;
    expect(db.error.code).toBe('store_not_a_database');
    const line = gw.logs.find((l) => l.event === 'store_unavailable');
    expect(line).toMatchObject({ file: join(gw.dir, 'mayros.db'), code: 'store_not_a_database' });
    expect(String(line?.fix)).toContain(join(gw.dir, 'mayros.db'));
    const health = await httpRequest(`${gw.url}/healthz`);
    expect(health.status).toBe(200);
  });

  it('a path it cannot create (a directory in the way) is unavailable, not a crash', async () => {
    gw = await startTestGateway(LOOPBACK_TOKEN, {}, (dir) => mkdirSync(join(dir, 'mayros.db')));
    expect(gw.gw.ctx.database.state).toBe('unavailable');
    expect((await httpRequest(`${gw.url}/healthz`)).status).toBe(200);
  });

  it('is not opened when the embedder says so, and closed with the gateway', async () => {
    gw = await startTestGateway(LOOPBACK_TOKEN, { database: false });
    expect(gw.gw.ctx.database.state).toBe('off');
    await gw.stop();
    gw = await startTestGateway(LOOPBACK_TOKEN);
    const db = gw.gw.ctx.database;
    await gw.gw.close(100);
    expect(db.state === 'open' && db.db.open).toBe(false);
  });
});
