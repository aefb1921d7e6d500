/**
 * The audit's view of a real Unix socket (src/security/socket-facts.ts, listen-checks.ts): the
 * permissions found on disk, of a socket a running gateway made and of its directory, through
 * `mayros security audit`.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { writeConfig } from '../support/config-file.js';
import { cleanEnv } from '../support/env.js';
import { startTestGateway } from '../support/gateway-inproc.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';

const auth = { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user', requiredHeaders: ['x-forwarded-proto'], allowUsers: ['a@example.com'] } };

describe('security audit of a Unix socket on disk', () => {
  let dir: string;
  beforeAll(() => {
    dir = makeTempDir('audit-sock');
  });
  afterAll(() => removeTempDir(dir));

  async function audit(gateway: object): Promise<Array<{ checkId: string; severity: string; detail: string }>> {
    const file = writeConfig(dir, JSON.stringify({ gateway }), `audit-${Math.random().toString(36).slice(2)}.json`);
    const r = await runCli(['security', 'audit', '--config', file, '--json'], cleanEnv({ MAYROS_STATE_DIR: dir }));
    return JSON.parse(r.stdout).findings;
  }

  it('a private directory and the default mode: no socket finding', async () => {
    const sub = join(dir, 'private');
    mkdirSync(sub, { mode: 0o750 });
    chmodSync(sub, 0o750);
    const gateway = { bind: 'none', listen: { unixSocket: { path: join(sub, 'gw.sock') } }, auth };
    const t = await startTestGateway(gateway);
    try {
      const ids = (await audit(gateway)).map((f) => f.checkId);
      expect(ids).not.toContain('gateway.unix_socket_mode');
      expect(ids).not.toContain('gateway.unix_socket_dir_writable');
    } finally {
      await t.stop();
    }
  });

  it('a socket file others can write to, and a directory others can write to: both critical', async () => {
    const open = join(dir, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    const path = join(open, 'gw.sock');
    const t = await startTestGateway({ bind: 'none', listen: { unixSocket: { path } }, auth });
    try {
      // Someone widens the file's mode after the gateway made it.
      chmodSync(path, 0o666);
      const f = await audit({ bind: 'none', listen: { unixSocket: { path } }, auth });
      const mode = f.find((x) => x.checkId === 'gateway.unix_socket_mode');
      expect(mode).toMatchObject({ severity: 'critical' });
      expect(mode!.detail).toContain(`the socket file ${path} has mode 0666 (not the configured one`);
      const d = f.find((x) => x.checkId === 'gateway.unix_socket_dir_writable');
      expect(d).toMatchObject({ severity: 'critical' });
      expect(d!.detail).toContain(`${open} (0777), the socket's own directory`);
    } finally {
      await t.stop();
    }
  });
});
