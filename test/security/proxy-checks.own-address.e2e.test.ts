/**
 * `mayros security audit` on this machine's real interfaces: a trustedProxies entry that is one of
 * the host's own non-loopback addresses is reported with the interface carrying it. The address
 * only goes into a config file; no traffic is sent to it.
 */
import { networkInterfaces } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { writeConfig } from '../support/config-file.js';
import { cleanEnv } from '../support/env.js';
import { makeTempDir, removeTempDir } from '../support/tmp.js';
import { isLoopbackIp } from '../../src/net/ip.js';

const dir = makeTempDir('cli');
afterAll(() => removeTempDir(dir));

/** This host's first non-loopback address and its interface. */
function ownAddress(): { address: string; name: string } | undefined {
  for (const [name, list] of Object.entries(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal && !isLoopbackIp(a.address)) return { address: a.address, name };
  }
  return undefined;
}

describe('security audit: trustedProxies entries that are this host\'s own addresses', () => {
  it('names the entry and the interface, from the real os.networkInterfaces()', async () => {
    const own = ownAddress();
    expect(own, 'this test needs a machine with a non-loopback network interface').toBeDefined();
    const config = writeConfig(
      dir,
      JSON.stringify({ gateway: { bind: 'lan', trustedProxies: [own!.address, '198.51.100.7'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user', allowUsers: ['a@example.com'] } } } }),
      'own.json',
    );
    const r = await runCli(['security', 'audit', '--config', config, '--json'], cleanEnv({}, { minimal: true, stateDir: dir }));
    expect(r.code, r.stderr).toBe(0);
    const found = JSON.parse(r.stdout).findings.filter((f: { checkId: string }) => f.checkId === 'gateway.trusted_proxies_own_address');
    expect(found).toHaveLength(1);
    expect(found[0].severity).toBe('warn');
    expect(found[0].detail).toContain(`"${own!.address}" is this host's address on ${own!.name}`);
    expect(found[0].detail).not.toContain('198.51.100.7');
  });

  it('says nothing about an address this host does not have', async () => {
    const config = writeConfig(
      dir,
      JSON.stringify({ gateway: { bind: 'lan', trustedProxies: ['198.51.100.7'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user', allowUsers: ['a@example.com'] } } } }),
      'other.json',
    );
    const r = await runCli(['security', 'audit', '--config', config, '--json'], cleanEnv({}, { minimal: true, stateDir: dir }));
    expect(JSON.parse(r.stdout).findings.map((f: { checkId: string }) => f.checkId)).not.toContain('gateway.trusted_proxies_own_address');
  });
});
