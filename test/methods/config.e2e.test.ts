/**
 * config.get and config.patch on a real gateway over real WebSockets (trusted-proxy mode, the
 * identity from a header sent from the configured proxy address): two admins racing from one
 * version, an invalid value leaving the file byte for byte, the lockout check, secrets never
 * leaving (answers, error messages, logs), scopes, and the patch going through the reload path
 * (a colleague removed from allowUsers is closed at once; the reload is a 'console' one).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfigForStartup } from '../../src/config/load.js';
import type { JournalInput } from '../../src/journal/types.js';
import { NO_JOURNAL, type JournalSink } from '../../src/journal/sink.js';
import { replaceFile, writeConfig } from '../support/config-file.js';
import { startTestGateway, type TestGateway } from '../support/gateway-inproc.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';
import { wsClient, type WsClient } from '../support/ws-client.js';

const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';
const CAROL = 'carol@example.com';
const DAVE = 'dave@example.com';
/** A provider key written inline in the file: it must never leave the gateway. */
const API_KEY = 'sk-inline-4f0c1d2e3b4a59687766554433221100';
const PLACEHOLDER = '__mayros_secret__';

function fileConfig(allowUsers: string[] = [ALICE, BOB, CAROL, DAVE]) {
  return {
    gateway: {
      port: 0,
      trustedProxies: ['127.0.0.1'],
      auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-user', allowUsers } },
      authorization: { defaultScopes: ['operator.read'], rules: [{ users: [ALICE, BOB], scopes: ['operator.admin'] }] },
    },
    models: { providers: { local: { baseUrl: 'http://127.0.0.1:9/v1', apiKey: API_KEY, models: ['m1'] } }, default: 'local/m1' },
  };
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

describe('config.get and config.patch', () => {
  let t: TestGateway;
  /** Every frame any client received, as text: checked for the secret at the end. */
  const seen: string[] = [];
  const recorded: JournalInput[] = [];
  const sink: JournalSink = { ...NO_JOURNAL, enabled: true, record: (e) => void recorded.push(e) };
  /** The config.patch entries recorded (reloads, the tests' own file writes among them, are recorded too). */
  const patches = () => recorded.filter((e) => e.kind === 'config.patch');

  function session(user: string): WsClient {
    const c = wsClient(t.port, { headers: { 'x-user': user } });
    c.ws.on('message', (d) => seen.push(d.toString()));
    return c;
  }
  async function connected(user: string): Promise<WsClient> {
    const c = session(user);
    const hello = await c.hello;
    expect(hello.ok, JSON.stringify(hello)).toBe(true);
    return c;
  }
  const fileBytes = () => readFileSync(t.file);
  const writeFile = async (cfg: object) => {
    replaceFile(t.file, `${JSON.stringify(cfg, null, 2)}\n`);
    expect((await t.gw.reload('api')).status).not.toBe('rejected');
  };

  let alice: WsClient;
  let bob: WsClient;

  beforeAll(async () => {
    t = await startTestGateway({});
    t.gw.ctx.journal = sink;
    await writeFile(fileConfig());
    alice = await connected(ALICE);
    bob = await connected(BOB);
  });

  afterAll(async () => {
    alice?.close();
    bob?.close();
    await t?.stop();
  });

  beforeEach(async () => {
    recorded.length = 0;
    if (fileBytes().toString() !== `${JSON.stringify(fileConfig(), null, 2)}\n`) await writeFile(fileConfig());
  });

  it('config.get answers the file with its hash, path and pendingRestart, the inline key replaced by the placeholder', async () => {
    const r = await alice.request('config.get');
    expect(r.ok, JSON.stringify(r)).toBe(true);
    const p = r.payload;
    expect(p.hash).toBe(sha256(fileBytes()));
    expect(p.path).toBe(t.file);
    expect(p.pendingRestart).toEqual([]);
    expect(p.format).toBe('jsonc');
    expect(p.config.models.providers.local.apiKey).toBe(PLACEHOLDER);
    expect(p.config.gateway.auth.trustedProxy.allowUsers).toEqual([ALICE, BOB, CAROL, DAVE]);
    expect(p.text).toContain(`"apiKey": "${PLACEHOLDER}"`);
    expect(JSON.stringify(r)).not.toContain(API_KEY);
  });

  it('refuses a person without operator.admin with scope_missing, before looking at the patch', async () => {
    const carol = await connected(CAROL);
    try {
      expect(await carol.request('config.get')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', reason: 'scope_missing', message: 'config.get needs operator.admin; you have operator.read' } });
      const before = fileBytes();
      expect(await carol.request('config.patch', { baseHash: sha256(before), patch: { gateway: { auth: { trustedProxy: { allowUsers: [CAROL] } } } } })).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN', reason: 'scope_missing' },
      });
      expect(fileBytes().equals(before)).toBe(true);
    } finally {
      carol.close();
    }
  });

  it('two admins patching from the same baseHash: exactly one wins, the other gets config_conflict with the current hash', async () => {
    const baseHash = (await alice.request('config.get')).payload.hash;
    const [a, b] = await Promise.all([
      alice.request('config.patch', { baseHash, patch: { models: { requestTimeoutSec: 30 } } }),
      bob.request('config.patch', { baseHash, patch: { models: { requestTimeoutSec: 60 } } }),
    ]);
    const won = [a, b].filter((r) => r.ok);
    const lost = [a, b].filter((r) => !r.ok);
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const now = sha256(fileBytes());
    expect(won[0].payload).toMatchObject({ written: true, previousHash: baseHash, hash: now, changedPaths: ['models.requestTimeoutSec'] });
    expect(lost[0].error).toMatchObject({ code: 'CONFLICT', reason: 'config_conflict', details: { currentHash: now } });
    // The winner's value is the one in the file, and in force.
    const want = won[0] === a ? 30 : 60;
    expect(JSON.parse(fileBytes().toString()).models.requestTimeoutSec).toBe(want);
    expect(t.gw.ctx.generation.resolved.config.models?.requestTimeoutSec).toBe(want);
    // The loser, reloading, patches from the new version.
    const again = await (won[0] === a ? bob : alice).request('config.patch', { baseHash: now, patch: { models: { requestTimeoutSec: 90 } } });
    expect(again).toMatchObject({ ok: true, payload: { written: true, previousHash: now } });
  });

  it('a patch with an invalid value leaves the file byte for byte, with the fields and fixes of `mayros config validate`', async () => {
    const before = fileBytes();
    const generation = t.gw.ctx.generation.n;
    const patch = { gateway: { trustedProxies: ['proxy.local'] } };
    const r = await alice.request('config.patch', { baseHash: sha256(before), patch });
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS', reason: 'config_invalid' } });
    expect(fileBytes().equals(before)).toBe(true);
    expect(t.gw.ctx.generation.n).toBe(generation);
    // The same issues the CLI's validation finds in the file the patch would produce.
    const dir = makeTempDir('validate');
    try {
      const candidate = writeConfig(dir, { ...fileConfig(), gateway: { ...fileConfig().gateway, ...patch.gateway } });
      let thrown: ConfigError | undefined;
      try {
        loadConfigForStartup({ configPath: candidate, env: { MAYROS_STATE_DIR: dir } });
      } catch (err) {
        thrown = err as ConfigError;
      }
      expect(thrown).toBeInstanceOf(ConfigError);
      expect(r.error.details.issues).toEqual(thrown!.issues);
      expect(r.error.details.issues[0].path).toBe('gateway.trustedProxies[0]');
      // The lines `mayros config validate` prints under its heading (which names the file).
      expect(r.error.message).toContain(thrown!.message.split('\n').slice(1).join('\n'));
    } finally {
      removeTempDir(dir);
    }
    expect(patches()).toEqual([]);
  });

  it('refuses a patch that would lock its sender out with config_locks_you_out, and applies it with confirm: true', async () => {
    const before = fileBytes();
    const patch = { gateway: { authorization: { rules: [{ users: [BOB], scopes: ['operator.admin'] }] } } };
    const r = await alice.request('config.patch', { baseHash: sha256(before), patch });
    expect(r).toMatchObject({ ok: false, error: { code: 'CONFLICT', reason: 'config_locks_you_out', details: { why: expect.stringMatching(/no longer be an admin/) } } });
    expect(fileBytes().equals(before)).toBe(true);
    // Removing herself from allowUsers is a lockout too.
    const out = await alice.request('config.patch', { baseHash: sha256(before), patch: { gateway: { auth: { trustedProxy: { allowUsers: [BOB] } } } } });
    expect(out.error).toMatchObject({ reason: 'config_locks_you_out', details: { why: expect.stringMatching(/"alice@example\.com" would no longer be allowed in/) } });

    const demoted = await alice.request('config.patch', { baseHash: sha256(before), patch, confirm: true });
    expect(demoted).toMatchObject({ ok: true, payload: { written: true, lockout: expect.stringMatching(/no longer be an admin/), reload: { status: 'applied', sessionsUpdated: 1 } } });
    // The change reached her open session: new scopes, and the next admin call is refused.
    await alice.next((f) => f.type === 'event' && f.event === 'session.updated');
    expect(await alice.request('config.get')).toMatchObject({ ok: false, error: { reason: 'scope_missing' } });
    // Bob restores her (beforeEach would too; this checks he still can).
    const back = await bob.request('config.patch', { baseHash: sha256(fileBytes()), patch: { gateway: { authorization: fileConfig().gateway.authorization } } });
    expect(back).toMatchObject({ ok: true, payload: { reload: { status: 'applied' } } });
    await alice.next((f) => f.type === 'event' && f.event === 'session.updated');
  });

  it('removing a colleague from allowUsers closes their open session at once, through a console reload, recorded to the journal', async () => {
    const dave = await connected(DAVE);
    const baseHash = sha256(fileBytes());
    const r = await alice.request('config.patch', { baseHash, patch: { gateway: { auth: { trustedProxy: { allowUsers: [ALICE, BOB, CAROL] } } } } });
    expect(r).toMatchObject({ ok: true, payload: { written: true, journaled: true, reload: { status: 'applied', sessionsClosed: 1 } } });
    expect(await dave.closed).toEqual({ code: 1008, reason: 'trusted_proxy_user_not_allowed' });
    const reloaded = t.logs.filter((l) => l.event === 'config_reloaded').at(-1);
    expect(reloaded).toMatchObject({ trigger: 'console', changed: ['gateway.auth.trustedProxy.allowUsers'] });
    // The reload it went through is recorded with its source.
    expect(recorded.filter((e) => e.kind === 'reload').at(-1)).toMatchObject({ actor: { type: 'system' }, payload: { source: 'console', result: 'applied', paths: ['gateway.auth.trustedProxy.allowUsers'] } });
    expect(patches()).toEqual([
      {
        kind: 'config.patch',
        actor: { type: 'user', id: ALICE },
        payload: {
          paths: ['gateway.auth.trustedProxy.allowUsers'],
          before: { 'gateway.auth.trustedProxy.allowUsers': [ALICE, BOB, CAROL, DAVE] },
          after: { 'gateway.auth.trustedProxy.allowUsers': [ALICE, BOB, CAROL] },
          baseHash,
          hash: sha256(fileBytes()),
        },
      },
    ]);
  });

  it('keeps the stored secret where the placeholder comes back, and never lets a secret out in answers, errors or logs', async () => {
    const got = (await alice.request('config.get')).payload;
    // The form sends the provider back whole, placeholder included, with another model list.
    const provider = { ...got.config.models.providers.local, models: ['m1', 'm2'] };
    const r = await alice.request('config.patch', { baseHash: got.hash, patch: { models: { providers: { local: provider } } } });
    expect(r).toMatchObject({ ok: true, payload: { written: true, changedPaths: ['models.providers.local.models'] } });
    expect(JSON.parse(fileBytes().toString()).models.providers.local.apiKey).toBe(API_KEY);
    // A new key with an invalid neighbour: refused, and the new key is in no answer or log line.
    const fresh = 'sk-fresh-99887766554433221100ffeeddccbbaa';
    const bad = await alice.request('config.patch', { baseHash: sha256(fileBytes()), patch: { models: { providers: { local: { apiKey: fresh, baseUrl: 'ftp://x' } } } } });
    expect(bad).toMatchObject({ ok: false, error: { reason: 'config_invalid' } });
    // Changing the key itself: the change names the path, the values are placeholders.
    const changed = await alice.request('config.patch', { baseHash: sha256(fileBytes()), patch: { models: { providers: { local: { apiKey: fresh } } } } });
    expect(changed.payload.changes).toEqual([{ path: 'models.providers.local.apiKey', before: PLACEHOLDER, after: PLACEHOLDER }]);
    expect(patches().at(-1)?.payload).toMatchObject({ before: { 'models.providers.local.apiKey': PLACEHOLDER }, after: { 'models.providers.local.apiKey': PLACEHOLDER } });
    for (const secret of [API_KEY, fresh]) {
      expect(seen.filter((f) => f.includes(secret))).toEqual([]);
      expect(t.rawLogs()).not.toContain(secret);
      expect(JSON.stringify(recorded)).not.toContain(secret);
    }
  });

  it('a change of port waits for a restart (pendingRestart), the rest applies', async () => {
    const r = await alice.request('config.patch', { baseHash: sha256(fileBytes()), patch: { gateway: { port: 1 } } });
    expect(r).toMatchObject({ ok: true, payload: { written: true, pendingRestart: ['gateway.port'] } });
    expect((await alice.request('config.get')).payload.pendingRestart).toEqual(['gateway.port']);
    expect(t.gw.ctx.generation.resolved.config.gateway.port).toBe(0);
  });

  it('when the journal cannot take the entry, the patch stays applied, the failure is logged, and the answer says so', async () => {
    t.gw.ctx.journal = { ...sink, record: () => { throw Object.assign(new Error('disk full'), { code: 'store_full' }); } };
    try {
      const r = await alice.request('config.patch', { baseHash: sha256(fileBytes()), patch: { models: { requestTimeoutSec: 45 } } });
      expect(r).toMatchObject({ ok: true, payload: { written: true, journaled: false, reload: { status: 'applied' } } });
      expect(t.gw.ctx.generation.resolved.config.models?.requestTimeoutSec).toBe(45);
      expect(t.logs.filter((l) => l.event === 'journal_write_failed' && l.kind === 'config.patch').at(-1)).toMatchObject({ kind: 'config.patch', user: ALICE, paths: ['models.requestTimeoutSec'], error: 'store_full' });
    } finally {
      t.gw.ctx.journal = sink;
    }
  });

  it('checks its params: a baseHash that is not a hash, or a patch that is not an object, is INVALID_PARAMS', async () => {
    expect(await alice.request('config.patch', { baseHash: 'nope', patch: {} })).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS', message: expect.stringContaining('baseHash') } });
    expect(await alice.request('config.patch', { baseHash: sha256(fileBytes()), patch: [1] })).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS' } });
  });
});
