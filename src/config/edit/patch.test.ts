import { chmodSync, chownSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSON5 from 'json5';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { loadConfigForStartup } from '../load.js';
import { patchConfigFile, readConfigForEdit, SECRET_PLACEHOLDER, type PatchOutcome } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'mayros-config-edit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { MAYROS_STATE_DIR: dir };
const load = { env };

const TOKEN = 'tok-secret-4f9a2c7e';
const API_KEY = 'sk-local-secret-8d1b3e';

/** A hand-written JSONC config: comments, trailing commas, inline secrets. */
const JSONC = `// Mayros gateway config (hand-written)
{
  "gateway": {
    "port": 18789, // the usual port
    "trustedProxies": ["127.0.0.1"],
    /* who may sign in */
    "auth": {
      "mode": "trusted-proxy",
      "token": "${TOKEN}",
      "trustedProxy": {
        "userHeader": "x-forwarded-user",
        "allowUsers": ["alice@example.com", "bob@example.com"], // people
      },
    },
  },
  "models": {
    "providers": {
      "local": { "baseUrl": "http://127.0.0.1:11434/v1", "apiKey": "${API_KEY}", "models": ["llama3.2"] },
    },
    "default": "local/llama3.2",
  },
}
`;

/** The same config in JSON5-only syntax: unquoted keys, single quotes. */
const JSON5_TEXT = `// JSON5, as the docs' example writes it
{
  gateway: {
    port: 18789,
    trustedProxies: ['127.0.0.1'],
    auth: {
      mode: 'trusted-proxy',
      token: '${TOKEN}',
      trustedProxy: { userHeader: 'x-forwarded-user', allowUsers: ['alice@example.com', 'bob@example.com'] },
    },
  },
}
`;

let n = 0;
function configFile(text: string, name = `c${n++}.json`): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

async function hashOf(file: string): Promise<string> {
  const r = await readConfigForEdit(file);
  if (!r.ok) throw new Error('unreadable');
  return r.value.hash;
}

function applied(r: PatchOutcome) {
  if (!r.ok) throw new Error(`refused: ${JSON.stringify(r.refusal)}`);
  return r;
}

function refusal(r: PatchOutcome) {
  if (r.ok) throw new Error('expected a refusal');
  return r.refusal;
}

/** Temporary files left beside the config. */
function leftovers(): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.tmp'));
}

const allowOnlyAlice = { gateway: { auth: { trustedProxy: { allowUsers: ['alice@example.com'] } } } };

describe('readConfigForEdit', () => {
  it('returns the hash of the exact bytes, and the file with every secret masked', async () => {
    const file = configFile(JSONC);
    const r = await readConfigForEdit(file);
    if (!r.ok) throw new Error('refused');
    const v = r.value;
    expect(v.hash).toBe(sha256(readFileSync(file)));
    expect(v).toMatchObject({ path: file, exists: true, format: 'jsonc', textExact: true });
    expect((v.config as { gateway: { auth: { token: string } } }).gateway.auth.token).toBe(SECRET_PLACEHOLDER);
    expect((v.config as { models: { providers: { local: { apiKey: string } } } }).models.providers.local.apiKey).toBe(SECRET_PLACEHOLDER);
    expect(v.text).toBe(JSONC.replace(TOKEN, SECRET_PLACEHOLDER).replace(API_KEY, SECRET_PLACEHOLDER));
    expect(JSON.stringify(v)).not.toMatch(new RegExp(`${TOKEN}|${API_KEY}`));
  });

  it('masks secrets in a JSON5 file too, and says it is JSON5', async () => {
    const r = await readConfigForEdit(configFile(JSON5_TEXT));
    if (!r.ok) throw new Error('refused');
    expect(r.value.format).toBe('json5');
    expect(r.value.text).toBe(JSON5_TEXT.replace(TOKEN, SECRET_PLACEHOLDER));
    expect(r.value.textExact).toBe(true);
  });

  it('never shows a secret written in a comment: the text is then rendered from the masked contents', async () => {
    const r = await readConfigForEdit(configFile(JSONC.replace('// the usual port', `// old token: ${TOKEN}`)));
    if (!r.ok) throw new Error('refused');
    expect(r.value.textExact).toBe(false);
    expect(r.value.text).not.toContain(TOKEN);
    expect(JSON5.parse(r.value.text)).toEqual(r.value.config);
  });

  it('reports a file that is not JSON5 as config_invalid, naming the line', async () => {
    const r = await readConfigForEdit(configFile('{ "gateway": { "port": 1,, } }'));
    expect(r).toMatchObject({ ok: false, code: 'config_invalid', issues: [{ path: '', message: expect.stringMatching(/not valid JSON5 at line 1/) }] });
  });
});

describe('patchConfigFile', () => {
  it('applies a merge patch, touching only the changed value: comments and layout stay byte for byte', async () => {
    const file = configFile(JSONC);
    const base = await hashOf(file);
    const r = applied(await patchConfigFile(file, { baseHash: base, patch: allowOnlyAlice }, { load }));
    const text = readFileSync(file, 'utf8');
    expect(text).toBe(JSONC.replace('["alice@example.com", "bob@example.com"]', '["alice@example.com"]'));
    expect(r).toMatchObject({
      written: true,
      format: 'jsonc',
      previousHash: base,
      hash: sha256(text),
      changedPaths: ['gateway.auth.trustedProxy.allowUsers'],
      changes: [{ path: 'gateway.auth.trustedProxy.allowUsers', before: ['alice@example.com', 'bob@example.com'], after: ['alice@example.com'] }],
    });
    expect(r.backup).toBeUndefined();
    expect(existsSync(`${file}.bak`)).toBe(false);
    // The file loads as the gateway would load it.
    expect(loadConfigForStartup({ configPath: file, env }).config.gateway.auth.trustedProxy.allowUsers).toEqual(['alice@example.com']);
    expect(leftovers()).toEqual([]);
  });

  it('refuses a patch made against another version with config_conflict and the current hash', async () => {
    const file = configFile(JSONC);
    const before = readFileSync(file);
    const r = refusal(await patchConfigFile(file, { baseHash: sha256('something else'), patch: allowOnlyAlice }, { load }));
    expect(r).toEqual({ code: 'config_conflict', currentHash: sha256(before) });
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it.each([
    ['a wrong type', { gateway: { port: 'eighty' } }],
    ['an unknown key', { gateway: { auth: { trustedProxy: { userHeadr: 'x' } } } }],
    ['a startup rule (trusted-proxy mode with no proxy)', { gateway: { trustedProxies: [] } }],
    ['a model default naming no configured model', { models: { default: 'local/nope' } }],
  ])('refuses %s with config_invalid, the messages of `mayros config validate`, the file byte for byte unchanged', async (_name, patch) => {
    const file = configFile(JSONC);
    const before = readFileSync(file);
    const r = refusal(await patchConfigFile(file, { baseHash: sha256(before), patch }, { load }));
    if (r.code !== 'config_invalid') throw new Error(r.code);
    // The same file written by hand and checked as startup checks it gives the same issues.
    const byHand = configFile(JSON.stringify((await import('json-merge-patch')).default.apply(JSON5.parse(JSONC), patch)));
    let expected: unknown;
    try {
      loadConfigForStartup({ configPath: byHand, env });
    } catch (err) {
      expected = (err as ConfigError).issues;
    }
    expect(expected).toBeDefined();
    expect(r.issues).toEqual(expected);
    expect(r.issues.every((i) => i.path && i.fix)).toBe(true);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(leftovers()).toEqual([]);
  });

  it('checks with the environment the gateway runs with (a password from the environment counts)', async () => {
    const file = configFile('{ "gateway": { "auth": { "mode": "token" } } }\n');
    const patch = { gateway: { auth: { mode: 'password' } } };
    const r1 = refusal(await patchConfigFile(file, { baseHash: await hashOf(file), patch }, { load }));
    expect(r1).toMatchObject({ code: 'config_invalid', issues: [{ path: 'gateway.auth.password' }] });
    const r2 = applied(await patchConfigFile(file, { baseHash: await hashOf(file), patch }, { load: { env: { ...env, MAYROS_GATEWAY_PASSWORD: 'pw-from-env' } } }));
    expect(r2.changedPaths).toEqual(['gateway.auth.mode']);
  });

  it('refuses what the caller`s own check refuses', async () => {
    const file = configFile(JSONC);
    const before = readFileSync(file);
    const r = refusal(await patchConfigFile(file, { baseHash: sha256(before), patch: { gateway: { port: 1234 } } }, { load, check: (next) => (next.config.gateway.port === 1234 ? [{ path: 'gateway.port', message: 'waits for a restart', fix: 'restart' }] : []) }));
    expect(r).toEqual({ code: 'config_invalid', issues: [{ path: 'gateway.port', message: 'waits for a restart', fix: 'restart' }] });
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  describe('secrets', () => {
    it('round trip: the masked config sent back with one change keeps every stored secret', async () => {
      const file = configFile(JSONC);
      const read = await readConfigForEdit(file);
      if (!read.ok) throw new Error('refused');
      const patch = structuredClone(read.value.config) as { gateway: { port: number } };
      patch.gateway.port = 8080;
      const r = applied(await patchConfigFile(file, { baseHash: read.value.hash, patch }, { load }));
      expect(r.changedPaths).toEqual(['gateway.port']);
      const text = readFileSync(file, 'utf8');
      expect(text).toBe(JSONC.replace('18789', '8080'));
      const onDisk = JSON5.parse(text);
      expect(onDisk.gateway.auth.token).toBe(TOKEN);
      expect(onDisk.models.providers.local.apiKey).toBe(API_KEY);
    });

    it('the masked config sent back unchanged changes nothing and writes nothing', async () => {
      const file = configFile(JSONC);
      const read = await readConfigForEdit(file);
      if (!read.ok) throw new Error('refused');
      const mtime = statSync(file).mtimeMs;
      const r = applied(await patchConfigFile(file, { baseHash: read.value.hash, patch: read.value.config }, { load }));
      expect(r).toMatchObject({ written: false, changedPaths: [], hash: read.value.hash });
      expect(readFileSync(file, 'utf8')).toBe(JSONC);
      expect(statSync(file).mtimeMs).toBe(mtime);
    });

    it('names a changed secret but never shows it, old or new', async () => {
      const file = configFile(JSONC);
      const r = applied(await patchConfigFile(file, { baseHash: await hashOf(file), patch: { models: { providers: { local: { apiKey: 'sk-new-secret-77' } } } } }, { load }));
      expect(r.changes).toEqual([{ path: 'models.providers.local.apiKey', before: SECRET_PLACEHOLDER, after: SECRET_PLACEHOLDER }]);
      expect(JSON.stringify(r)).not.toMatch(/sk-new-secret-77|sk-local-secret/);
      expect(JSON5.parse(readFileSync(file, 'utf8')).models.providers.local.apiKey).toBe('sk-new-secret-77');
    });

    it('shows a key moved to the environment: the variable name is not a secret', async () => {
      const file = configFile(JSONC);
      const r = applied(await patchConfigFile(file, { baseHash: await hashOf(file), patch: { models: { providers: { local: { apiKey: { env: 'LOCAL_KEY' } } } } } }, { load }));
      expect(r.changes).toEqual([{ path: 'models.providers.local.apiKey', before: SECRET_PLACEHOLDER, after: { env: 'LOCAL_KEY' } }]);
    });

    it.each([
      ['where no secret is stored', { gateway: { auth: { password: SECRET_PLACEHOLDER } } }, 'gateway.auth.password'],
      ['at a key that is not a secret', { gateway: { auth: { trustedProxy: { userHeader: SECRET_PLACEHOLDER } } } }, 'gateway.auth.trustedProxy.userHeader'],
      ['inside a list', { gateway: { trustedProxies: [SECRET_PLACEHOLDER] } }, 'gateway.trustedProxies[0]'],
      ['for a provider that does not exist', { models: { providers: { other: { baseUrl: 'http://127.0.0.1:1/v1', apiKey: SECRET_PLACEHOLDER, models: ['m'] } } } }, 'models.providers.other.apiKey'],
    ])('refuses the placeholder %s, so it is never written as a value', async (_name, patch, path) => {
      const file = configFile(JSONC);
      const before = readFileSync(file);
      const r = refusal(await patchConfigFile(file, { baseHash: sha256(before), patch }, { load }));
      expect(r).toMatchObject({ code: 'config_invalid', issues: [{ path, message: expect.stringContaining(SECRET_PLACEHOLDER) }] });
      expect(readFileSync(file).equals(before)).toBe(true);
    });

    it('refuses keys the patch library would stop at, instead of half-applying the patch', async () => {
      const file = configFile(JSONC);
      const before = readFileSync(file);
      const patch = JSON.parse('{ "gateway": { "port": 1234 }, "__proto__": { "x": 1 } }');
      const r = refusal(await patchConfigFile(file, { baseHash: sha256(before), patch }, { load }));
      expect(r).toMatchObject({ code: 'config_invalid', issues: [{ path: '__proto__' }] });
      expect(readFileSync(file).equals(before)).toBe(true);
    });

    it('refuses a patch nested deeper than any config key, without recursing into it', async () => {
      const file = configFile(JSONC);
      const before = readFileSync(file);
      let patch: Record<string, unknown> = { x: 1 };
      for (let i = 0; i < 50_000; i++) patch = { gateway: patch };
      const r = refusal(await patchConfigFile(file, { baseHash: sha256(before), patch }, { load }));
      expect(r).toMatchObject({ code: 'config_invalid', issues: [{ message: expect.stringContaining('nested deeper than 16 levels') }] });
      expect(readFileSync(file).equals(before)).toBe(true);
    });

    it('refuses a patch that is not an object', async () => {
      const file = configFile(JSONC);
      const r = refusal(await patchConfigFile(file, { baseHash: await hashOf(file), patch: [1] }, { load }));
      expect(r).toMatchObject({ code: 'config_invalid', issues: [{ path: '', message: expect.stringContaining('must be an object') }] });
    });
  });

  describe('lockout', () => {
    const lockout = (next: { config: { gateway: { auth: { trustedProxy: { allowUsers: string[] } } } } }) =>
      next.config.gateway.auth.trustedProxy.allowUsers.includes('bob@example.com') ? undefined : 'bob@example.com would no longer be in gateway.auth.trustedProxy.allowUsers';

    it('refuses a change that locks out its sender with config_locks_you_out, the file unchanged', async () => {
      const file = configFile(JSONC);
      const before = readFileSync(file);
      const r = refusal(await patchConfigFile(file, { baseHash: sha256(before), patch: allowOnlyAlice }, { load, lockout }));
      expect(r).toEqual({ code: 'config_locks_you_out', why: 'bob@example.com would no longer be in gateway.auth.trustedProxy.allowUsers' });
      expect(readFileSync(file).equals(before)).toBe(true);
    });

    it('applies it with confirm, and says so', async () => {
      const file = configFile(JSONC);
      const r = applied(await patchConfigFile(file, { baseHash: await hashOf(file), patch: allowOnlyAlice, confirm: true }, { load, lockout }));
      expect(r).toMatchObject({ written: true, lockout: expect.stringContaining('bob@example.com') });
    });

    it('is not asked about a patch that changes nothing, and does not stop one that keeps the sender in', async () => {
      const file = configFile(JSONC);
      const calls: unknown[] = [];
      const r = applied(await patchConfigFile(file, { baseHash: await hashOf(file), patch: { gateway: { port: 18789 } } }, { load, lockout: (n) => (calls.push(n), 'no') }));
      expect(r.written).toBe(false);
      expect(calls).toEqual([]);
      expect(applied(await patchConfigFile(file, { baseHash: await hashOf(file), patch: { gateway: { port: 9000 } } }, { load, lockout })).written).toBe(true);
    });
  });

  describe('concurrency', () => {
    it('two admins patching from the same version: exactly one wins, the other gets config_conflict', async () => {
      const file = configFile(JSONC);
      const base = await hashOf(file);
      const results = await Promise.all([
        patchConfigFile(file, { baseHash: base, patch: { gateway: { port: 1111 } } }, { load }),
        patchConfigFile(file, { baseHash: base, patch: allowOnlyAlice }, { load }),
      ]);
      const won = results.filter((r) => r.ok);
      const lost = results.filter((r) => !r.ok);
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      const now = sha256(readFileSync(file));
      expect(lost[0]).toEqual({ ok: false, refusal: { code: 'config_conflict', currentHash: now } });
      expect((won[0] as { hash: string }).hash).toBe(now);
    });

    it('many concurrent patches from one version: one wins, the file is the winner`s', async () => {
      const file = configFile(JSONC);
      const base = await hashOf(file);
      const ports = Array.from({ length: 12 }, (_, i) => 2000 + i);
      const results = await Promise.all(ports.map((port) => patchConfigFile(file, { baseHash: base, patch: { gateway: { port } } }, { load })));
      const winners = ports.filter((_, i) => results[i]!.ok);
      expect(winners).toHaveLength(1);
      expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.refusal.code === 'config_conflict')).toBe(true);
      expect(JSON5.parse(readFileSync(file, 'utf8')).gateway.port).toBe(winners[0]);
      expect(leftovers()).toEqual([]);
    });

    it('patches in sequence, each from the hash the one before returned, all apply', async () => {
      const file = configFile(JSONC);
      let base = await hashOf(file);
      for (const port of [3001, 3002, 3003]) base = applied(await patchConfigFile(file, { baseHash: base, patch: { gateway: { port } } }, { load })).hash;
      expect(JSON5.parse(readFileSync(file, 'utf8')).gateway.port).toBe(3003);
    });

    it('a file written by another process during the edit wins: config_conflict, the other write kept', async () => {
      const file = configFile(JSONC);
      const handEdit = JSONC.replace('18789', '4444');
      // The lockout check runs between the hash check and the write: the moment to race it.
      const r = refusal(await patchConfigFile(file, { baseHash: await hashOf(file), patch: allowOnlyAlice }, { load, lockout: () => (writeFileSync(file, handEdit), undefined) }));
      expect(r).toEqual({ code: 'config_conflict', currentHash: sha256(handEdit) });
      expect(readFileSync(file, 'utf8')).toBe(handEdit);
      expect(leftovers()).toEqual([]);
    });
  });

  describe('JSON5-only files', () => {
    it('a dry run says the file will be rewritten, before anything is written', async () => {
      const file = configFile(JSON5_TEXT, 'dry.json5');
      const r = applied(await patchConfigFile(file, { baseHash: await hashOf(file), patch: allowOnlyAlice }, { load, dryRun: true }));
      expect(r).toMatchObject({ written: false, format: 'json5-rewrite', backup: `${file}.bak`, changedPaths: ['gateway.auth.trustedProxy.allowUsers'] });
      expect(r.preview!.text).not.toContain(TOKEN);
      expect(JSON5.parse(r.preview!.text).gateway.auth.token).toBe(SECRET_PLACEHOLDER);
      expect(readFileSync(file, 'utf8')).toBe(JSON5_TEXT);
      expect(existsSync(`${file}.bak`)).toBe(false);
    });

    it('on write, keeps the previous file as <file>.bak and writes formatted JSON, secrets intact', async () => {
      const file = configFile(JSON5_TEXT, 'rewrite.json5');
      chmodSync(file, 0o640);
      const r = applied(await patchConfigFile(file, { baseHash: await hashOf(file), patch: allowOnlyAlice }, { load }));
      expect(r).toMatchObject({ written: true, format: 'json5-rewrite', backup: `${file}.bak` });
      expect(readFileSync(`${file}.bak`, 'utf8')).toBe(JSON5_TEXT);
      expect(statSync(`${file}.bak`).mode & 0o777).toBe(0o640);
      expect(leftovers()).toEqual([]);
      const text = readFileSync(file, 'utf8');
      const want = JSON5.parse(JSON5_TEXT);
      want.gateway.auth.trustedProxy.allowUsers = ['alice@example.com'];
      expect(JSON.parse(text)).toEqual(want);
      expect(text).toBe(`${JSON.stringify(want, null, 2)}\n`);
      // Now plain JSON: the next edit is in place, and the .bak of the JSON5 file stays.
      const next = applied(await patchConfigFile(file, { baseHash: r.hash, patch: { gateway: { port: 5555 } } }, { load }));
      expect(next.format).toBe('jsonc');
      expect(readFileSync(file, 'utf8')).toBe(text.replace('18789', '5555'));
      expect(readFileSync(`${file}.bak`, 'utf8')).toBe(JSON5_TEXT);
    });

    it('keeps the exact bytes of the previous file in the .bak, even bytes that are not UTF-8', async () => {
      const bytes = Buffer.concat([Buffer.from(`{ gateway: { port: 1 } } // caf`), Buffer.from([0xe9]), Buffer.from('\n')]);
      const file = join(dir, `latin1-${n++}.json5`);
      writeFileSync(file, bytes);
      applied(await patchConfigFile(file, { baseHash: sha256(bytes), patch: { gateway: { port: 2 } } }, { load }));
      expect(readFileSync(`${file}.bak`).equals(bytes)).toBe(true);
    });

    it('a JSONC edit that would not read back as the patched config is rewritten instead (a one-line object with trailing commas)', async () => {
      const text = '{ "gateway": { "port": 1, }, }';
      const file = configFile(text);
      const r = applied(await patchConfigFile(file, { baseHash: sha256(text), patch: { gateway: { port: null } } }, { load }));
      expect(r.format).toBe('json5-rewrite');
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ gateway: {} });
      expect(readFileSync(`${file}.bak`, 'utf8')).toBe(text);
    });

    it('a JSONC file with a duplicate key is rewritten rather than edited into something else', async () => {
      const text = '{\n  "gateway": { "port": 1 },\n  "gateway": { "port": 2 }\n}\n';
      const file = configFile(text);
      const r = applied(await patchConfigFile(file, { baseHash: await hashOf(file), patch: { gateway: { port: 3 } } }, { load }));
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ gateway: { port: 3 } });
      expect(r.format).toBe('json5-rewrite');
      expect(readFileSync(`${file}.bak`, 'utf8')).toBe(text);
    });
  });

  describe('the file itself', () => {
    it('keeps the mode and the owner (given away by chown when running as root)', async () => {
      const file = configFile(JSONC);
      const root = process.getuid?.() === 0;
      const uid = root ? 12345 : process.getuid!();
      const gid = root ? 23456 : process.getgid!();
      chownSync(file, uid, gid);
      chmodSync(file, 0o640);
      applied(await patchConfigFile(file, { baseHash: await hashOf(file), patch: allowOnlyAlice }, { load }));
      const st = statSync(file);
      expect({ mode: st.mode & 0o7777, uid: st.uid, gid: st.gid }).toEqual({ mode: 0o640, uid, gid });
    });

    it('edits the target of a symlink and leaves the link a link', async () => {
      const target = configFile(JSONC);
      const link = join(dir, `link-${n++}.json`);
      symlinkSync(target, link);
      applied(await patchConfigFile(link, { baseHash: await hashOf(link), patch: allowOnlyAlice }, { load }));
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
      expect(readFileSync(target, 'utf8')).toContain('["alice@example.com"]');
    });

    it('creates a missing file (the gateway ran on defaults), private to its owner; an empty patch creates nothing', async () => {
      const file = join(dir, `new-${n++}.json`);
      expect(applied(await patchConfigFile(file, { baseHash: sha256(''), patch: {} }, { load })).written).toBe(false);
      expect(existsSync(file)).toBe(false);
      const read = await readConfigForEdit(file);
      expect(read).toMatchObject({ ok: true, value: { exists: false, hash: sha256(''), config: {}, text: '' } });
      const r = applied(await patchConfigFile(file, { baseHash: sha256(''), patch: { gateway: { port: 7777 } } }, { load }));
      expect(r.written).toBe(true);
      expect(readFileSync(file, 'utf8')).toBe('{\n  "gateway": {\n    "port": 7777\n  }\n}\n');
      expect(statSync(file).mode & 0o777).toBe(0o600);
    });

    it('reports a file it cannot write as config_write_failed, and leaves nothing behind', async () => {
      const file = join(dir, 'no-such-dir', 'mayros.json');
      const r = refusal(await patchConfigFile(file, { baseHash: sha256(''), patch: { gateway: { port: 7777 } } }, { load }));
      expect(r).toMatchObject({ code: 'config_write_failed', detail: expect.stringContaining('ENOENT') });
      expect(existsSync(join(dir, 'no-such-dir'))).toBe(false);
    });

    it('refuses to patch a file that does not parse, and leaves it as it is', async () => {
      const file = configFile('{ "gateway": { "port": 1,, } }');
      const before = readFileSync(file);
      const r = refusal(await patchConfigFile(file, { baseHash: sha256(before), patch: { gateway: { port: 2 } } }, { load }));
      expect(r).toMatchObject({ code: 'config_invalid', issues: [{ message: expect.stringMatching(/not valid JSON5/) }] });
      expect(readFileSync(file).equals(before)).toBe(true);
    });
  });
});
