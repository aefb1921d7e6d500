/**
 * `mayros journal verify|list` as a real process, reading the database a gateway would write,
 * including one edited by someone with write access to the file (triggers dropped first).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Journal } from '../../src/journal/journal.js';
import { openStore } from '../../src/store/open.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { runCli } from '../support/cli.js';
import { cleanEnv } from '../support/env.js';
import { makeTempDir } from '../support/tmp.js';
import { dropTriggers, sampleEntry } from '../support/journal-db.js';

const HOUR = 3600_000;

/** A state directory whose database holds `n` entries: the older half two hours old, the rest recent. */
function stateWithJournal(n: number): { dir: string; db: string; env: NodeJS.ProcessEnv } {
  const dir = makeTempDir('journal');
  const file = join(dir, 'mayros.db');
  const { db } = openStore(file);
  const now = Date.now();
  let i = 0;
  const journal = new Journal(db, file, { now: () => (i < n / 2 ? now - 2 * HOUR : now - 60_000) + i });
  for (; i < n; i++) journal.append(sampleEntry(i));
  db.close();
  return { dir, db: file, env: cleanEnv({ MAYROS_STATE_DIR: dir }) };
}

describe('mayros journal verify', () => {
  it('exits 0 on an intact journal and prints the head hash to keep elsewhere', async () => {
    const { db, env } = stateWithJournal(40);
    const r = await runCli(['journal', 'verify'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const reader = new Database(db, { readonly: true });
    const head = (reader.prepare('SELECT hash FROM journal WHERE seq = 40').get() as { hash: string }).hash;
    reader.close();
    expect(r.stdout).toBe(`journal ok (${db}): 40 entries, 1 to 40\n  head: 40 ${head}\n`);
    const json = await runCli(['journal', 'verify', '--json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, entries: 40, head: { seq: 40, hash: head } });
  });

  it('exits 1 naming the one row edited in the database file by another connection', async () => {
    const { db, env } = stateWithJournal(40);
    const attacker = new Database(db);
    dropTriggers(attacker);
    attacker.prepare(`UPDATE journal SET payload = replace(payload, 'u15@', 'mallory@') WHERE seq = 16`).run();
    expect(attacker.prepare('SELECT changes() AS n').get()).toEqual({ n: 1 });
    attacker.close();
    const r = await runCli(['journal', 'verify'], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      `journal verify FAILED (${db}): entry 16 does not match its hash: its content was changed after it was written\n  first bad entry: seq 16 (hash_mismatch); 15 entries before it verified\n`,
    );
    const json = await runCli(['journal', 'verify', '--json'], env);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, entries: 15, failure: { problem: 'hash_mismatch', seq: 16 }, message: expect.stringContaining('entry 16') });
  });

  it('exits 1 for a deleted row, naming where the gap is', async () => {
    const { db, env } = stateWithJournal(10);
    const attacker = new Database(db);
    dropTriggers(attacker);
    attacker.prepare('DELETE FROM journal WHERE seq = 4').run();
    attacker.close();
    const r = await runCli(['journal', 'verify', '--db', db], cleanEnv());
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('entry 4 is missing before entry 5: it was deleted');
  });

  it('reads a consistent snapshot while a gateway holds a write transaction open', async () => {
    const { db: file, env } = stateWithJournal(10);
    const { db } = openStore(file);
    try {
      const journal = new Journal(db, file);
      db.prepare('BEGIN IMMEDIATE').run();
      for (let i = 0; i < 5; i++) journal.append(sampleEntry(i));
      const r = await runCli(['journal', 'verify'], env, 10_000);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('10 entries, 1 to 10');
      db.prepare('COMMIT').run();
      expect((await runCli(['journal', 'verify'], env)).stdout).toContain('15 entries, 1 to 15');
    } finally {
      db.close();
    }
  });

  it('exits 2 naming the file and the fix when there is no database, and creates none', async () => {
    const dir = makeTempDir('journal');
    const r = await runCli(['journal', 'verify'], cleanEnv({ MAYROS_STATE_DIR: dir }));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `mayros: journal database ${join(dir, 'mayros.db')}: there is no database here; fix: the gateway creates it when it first starts with the state directory ${dir}; if it runs with another one, set MAYROS_STATE_DIR to it (or pass --db with the file)\n`,
    );
    expect(existsSync(join(dir, 'mayros.db'))).toBe(false);
  });

  it('exits 2 for a file that is not a database, and for a database without a journal yet', async () => {
    const dir = makeTempDir('journal');
    const junk = join(dir, 'notes.db');
    writeFileSync(junk, 'not a database\n'.repeat(100));
    const r = await runCli(['journal', 'verify', '--db', junk], cleanEnv());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^mayros: journal database ${junk}: the file is not an SQLite database \\(SQLITE_NOTADB\\); fix: move ${junk} away`));

    const old = join(dir, 'old', 'mayros.db');
    mkdirSync(join(dir, 'old'));
    openStore(old, { migrations: MIGRATIONS.slice(0, 2) }).db.close();
    const o = await runCli(['journal', 'list', '--db', old], cleanEnv());
    expect(o.code).toBe(2);
    expect(o.stderr).toContain('the database has no journal yet (schema version 2); fix: start the gateway of this release once');
  });
});

describe('mayros journal list', () => {
  it('--since 1h --user: the recent entries of that person, oldest first', async () => {
    const { env } = stateWithJournal(40);
    const r = await runCli(['journal', 'list', '--since', '1h', '--user', 'alice@example.com'], env);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    // Entries 20..39 are recent; alice acts in those with i % 5 in (2, 3).
    expect(lines.map((l) => /#(\d+)/.exec(l)![1])).toEqual(['23', '24', '28', '29', '33', '34', '38', '39']);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z {2}#23 {2}chat\.run {2}alice@example\.com {2}\{"model":"local\/llama3\.2",/);
  });

  it('--json: parsed payloads, newest first, with the cursor of the next page', async () => {
    const { env } = stateWithJournal(40);
    const r = await runCli(['journal', 'list', '--kind', 'auth.refuse', '--kind', 'reload', '--limit', '3', '--json'], env);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { entries: Array<{ seq: number; kind: string; payload: unknown }>; nextCursor: number };
    expect(out.entries.map((e) => [e.seq, e.kind])).toEqual([[40, 'reload'], [37, 'auth.refuse'], [35, 'reload']]);
    expect(out.entries[1]!.payload).toEqual({ reason: 'trusted_proxy_user_not_allowed', claimedUser: 'mallory36@example.com', surface: 'ws', peer: '127.0.0.2' });
    expect(out.nextCursor).toBe(35);
    const next = JSON.parse((await runCli(['journal', 'list', '--kind', 'auth.refuse', '--kind', 'reload', '--limit', '3', '--cursor', '35', '--json'], env)).stdout) as typeof out;
    expect(next.entries.map((e) => e.seq)).toEqual([32, 30, 27]);
  });

  it('shows a claimed identity as unverified, and escapes control characters a client sent', async () => {
    const dir = makeTempDir('journal');
    const file = join(dir, 'mayros.db');
    const { db } = openStore(file);
    const name = 'evil\u001b[2J\u202eadmin';
    new Journal(db, file).append({ kind: 'auth.refuse', actor: { type: 'claimed', id: name }, payload: { reason: 'trusted_proxy_user_not_allowed', claimedUser: name, surface: 'http', peer: '127.0.0.2' } });
    db.close();
    const r = await runCli(['journal', 'list'], cleanEnv({ MAYROS_STATE_DIR: dir }));
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/[\u001b\u202e]/);
    expect(r.stdout).toContain('evil\\u001b[2J\\u202eadmin (claimed, not verified)');
  });

  it('lists a damaged row as stored (verify names it) instead of failing', async () => {
    const { db, env } = stateWithJournal(3);
    const attacker = new Database(db);
    dropTriggers(attacker);
    attacker.prepare(`UPDATE journal SET payload = 'not json' WHERE seq = 2`).run();
    attacker.close();
    const r = await runCli(['journal', 'list', '--json'], env);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { entries: Array<{ payload: unknown }> }).entries[1]!.payload).toBe('not json');
    expect((await runCli(['journal', 'list'], env)).stdout).toContain('#2  auth.refuse');
  });

  it('refuses an unknown kind and a bad time with the accepted values (exit 1)', async () => {
    const { env } = stateWithJournal(2);
    const k = await runCli(['journal', 'list', '--kind', 'config.delete'], env);
    expect(k.code).toBe(1);
    expect(k.stderr).toContain('expected one of: config.patch, session.delete, chat.run');
    const t = await runCli(['journal', 'list', '--since', 'yesterday'], env);
    expect(t.code).toBe(1);
    expect(t.stderr).toContain('90s, 15m, 1h, 2d, 1w');
  });
});
