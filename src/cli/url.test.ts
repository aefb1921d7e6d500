import { mkdtempSync, rmSync, writeFileSync, symlinkSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { controlUiLink } from './url.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A state dir with a config file; `token` is written as the generated token file when given. */
function setup(gateway: Record<string, unknown>, env: Record<string, string> = {}, token?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'mayros-url-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'mayros.json'), JSON.stringify({ gateway }));
  if (token !== undefined) writeFileSync(join(dir, 'gateway.token'), `${token}\n`, { mode: 0o600 });
  return { dir, resolved: loadConfig({ env: { MAYROS_STATE_DIR: dir, ...env } }) };
}

const TOKEN = 'generated-token-abcdefghijklmnopqrstuvwxyz012345';
const me = process.getuid?.();

describe('mayros gateway url', () => {
  it('prints the link with the generated token to the owner of the token file', () => {
    const { resolved, dir } = setup({ port: 18999 }, {}, TOKEN);
    const a = controlUiLink(resolved, undefined, me);
    expect(a).toMatchObject({ code: 0, link: `http://127.0.0.1:18999/#token=${TOKEN}` });
    expect(a.notes.join(' ')).toContain(join(dir, 'gateway.token'));
    expect(controlUiLink(resolved, 'http://127.0.0.1:4000/', me).link).toBe(`http://127.0.0.1:4000/#token=${TOKEN}`);
  });

  it('refuses another user than the owner, a missing token, and a symlinked token file', () => {
    const { resolved } = setup({ port: 18999 }, {}, TOKEN);
    const other = controlUiLink(resolved, undefined, (me ?? 0) + 1);
    expect(other.code).toBe(1);
    expect(other.link).toBeUndefined();
    expect(other.notes[0]).toMatch(/belongs to uid \d+, not to this user .*run this command as the user that runs the gateway/);

    const none = controlUiLink(setup({ port: 18999 }).resolved, undefined, me);
    expect([none.code, none.link]).toEqual([1, undefined]);
    expect(none.notes[0]).toContain('no token has been generated yet');

    const linked = setup({ port: 18999 });
    const elsewhere = join(linked.dir, 'elsewhere');
    writeFileSync(elsewhere, TOKEN);
    symlinkSync(elsewhere, join(linked.dir, 'gateway.token'));
    const l = controlUiLink(linked.resolved, undefined, me);
    expect([l.code, l.link]).toEqual([1, undefined]);
    expect(l.notes[0]).toMatch(/cannot be read \(ELOOP\)/);
  });

  it('warns when the token file is readable by others', () => {
    const { resolved, dir } = setup({ port: 18999 }, {}, TOKEN);
    chmodSync(join(dir, 'gateway.token'), 0o644);
    const a = controlUiLink(resolved, undefined, me);
    expect(a.code).toBe(0);
    expect(a.notes[1]).toMatch(/has mode 0644, readable by others/);
  });

  it('never prints a configured token, from the file or the environment, and says where it is', () => {
    const fromFile = controlUiLink(setup({ port: 18999, auth: { token: 'configured-in-file-0123456789' } }, {}, TOKEN).resolved, undefined, me);
    expect(fromFile).toMatchObject({ code: 0, link: 'http://127.0.0.1:18999/' });
    expect(fromFile.notes[0]).toMatch(/the token is configured \(gateway\.auth\.token in .*mayros\.json\); this command prints generated tokens only/);
    const fromEnv = controlUiLink(setup({ port: 18999 }, { MAYROS_GATEWAY_TOKEN: 'configured-in-env-0123456789' }).resolved, undefined, me);
    expect(fromEnv).toMatchObject({ code: 0, link: 'http://127.0.0.1:18999/' });
    expect(fromEnv.notes[0]).toContain('(MAYROS_GATEWAY_TOKEN)');
    expect(JSON.stringify([fromFile, fromEnv])).not.toMatch(/configured-in-(file|env)/);
  });

  it.each([
    ['password', { port: 18999, auth: { mode: 'password', password: 'a-password-0123456789' } }, 0, 'http://127.0.0.1:18999/', /asks for the gateway password/],
    ['none', { port: 18999, auth: { mode: 'none' } }, 0, 'http://127.0.0.1:18999/', /needs no credential/],
    ['trusted-proxy', { port: 18999, trustedProxies: ['127.0.0.1'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-user' } } }, 1, undefined, /open the Control UI through your proxy/],
    ['port 0', { port: 0 }, 1, undefined, /pass --url/],
    ['UI off', { port: 18999, controlUi: { enabled: false } }, 1, undefined, /turned off/],
  ] as const)('%s', (_name, gateway, code, link, note) => {
    const a = controlUiLink(setup(gateway, {}, TOKEN).resolved, undefined, me);
    expect(a.code).toBe(code);
    expect(a.link).toBe(link);
    expect(a.notes.join(' ')).toMatch(note);
    expect(JSON.stringify(a)).not.toContain('a-password');
  });
});
