/**
 * The journal a real `mayros gateway run` process writes: sign-ins and a SIGHUP reload recorded,
 * the window's counts flushed on SIGTERM, and `mayros journal verify` (a real process too) passing
 * on that journal while the gateway runs and after, then failing with the first bad entry once a
 * test edits one row in the database file.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { cleanEnv } from '../support/env.js';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { httpRequest } from '../support/http-client.js';
import { dropTriggers } from '../support/journal-db.js';
import { makeTempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

const config = (allowUsers: string[]) => ({
  gateway: { port: 0, trustedProxies: ['127.0.0.1'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-user', allowUsers } } },
});

interface Row {
  seq: number;
  kind: string;
  actor_type: string;
  actor: string | null;
  payload: string;
}

let gw: GatewayProcess | undefined;
let stateDir: string;
let dbFile: string;
const env = () => cleanEnv({ MAYROS_STATE_DIR: stateDir });
/** The journal's rows, read as `mayros journal` reads them (read-only, beside the running gateway). */
function rows(): Row[] {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT seq, kind, actor_type, actor, payload FROM journal ORDER BY seq').all() as Row[];
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  stateDir = makeTempDir('journal-state');
  dbFile = join(stateDir, 'mayros.db');
  gw = await startGatewayProcess({ config: config(['alice@example.com']), env: { MAYROS_STATE_DIR: stateDir }, args: ['--port', '0', '--no-watch'] });
});
afterAll(async () => {
  if (gw) await gw.stop().catch(() => undefined);
});

describe('the journal of a gateway process', () => {
  it('records sign-ins and a SIGHUP reload; journal verify passes while it runs, after SIGTERM, and fails after one row is edited', async () => {
    const g = gw!;
    for (let i = 0; i < 20; i++) expect((await httpRequest(`${g.url}/api/whoami`, { headers: { 'x-user': 'alice@example.com' } })).status).toBe(200);
    expect((await httpRequest(`${g.url}/api/whoami`, { headers: { 'x-user': 'mallory@example.com' } })).status).toBe(403);

    writeFileSync(g.file!, JSON.stringify(config(['alice@example.com', 'carol@example.com'])));
    process.kill(g.pid, 'SIGHUP');
    await waitFor(() => rows().some((r) => r.kind === 'reload'), 10_000, 'the SIGHUP reload in the journal');

    const running = rows();
    expect(running.map((r) => r.kind)).toEqual(['auth.admit', 'auth.refuse', 'reload']);
    expect(running[1]).toMatchObject({ actor_type: 'claimed', actor: 'mallory@example.com' });
    expect(JSON.parse(running[1]!.payload)).toMatchObject({ reason: 'trusted_proxy_user_not_allowed', claimedUser: 'mallory@example.com', peer: '127.0.0.1', surface: 'http' });
    expect(JSON.parse(running[2]!.payload)).toMatchObject({ source: 'SIGHUP', result: 'applied', paths: ['gateway.auth.trustedProxy.allowUsers'] });

    const live = await runCli(['journal', 'verify'], env());
    expect(live.code).toBe(0);
    expect(live.stdout).toContain(`journal ok (${dbFile}): 3 entries, 1 to 3`);

    // SIGTERM: the window's remaining admissions are summed into the journal before it closes.
    await g.stop();
    gw = undefined;
    const final = rows();
    expect(final.map((r) => r.kind)).toEqual(['auth.admit', 'auth.refuse', 'reload', 'auth.admit.aggregate']);
    expect(JSON.parse(final[3]!.payload).groups).toEqual([expect.objectContaining({ user: 'alice@example.com', count: 19 })]);
    const after = await runCli(['journal', 'verify'], env());
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('4 entries, 1 to 4');

    // Someone with write access to the file rewrites who was refused.
    const attacker = new Database(dbFile);
    dropTriggers(attacker);
    expect(attacker.prepare(`UPDATE journal SET payload = replace(payload, 'mallory@', 'nobody@') WHERE seq = 2`).run().changes).toBe(1);
    attacker.close();
    const bad = await runCli(['journal', 'verify'], env());
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('first bad entry: seq 2 (hash_mismatch); 1 entries before it verified');
  });
});
