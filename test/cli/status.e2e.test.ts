/**
 * `mayros gateway status`, run as a real process against a gateway process.
 */
import { writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { writeConfig } from '../support/config-file.js';
import { cleanEnv } from '../support/env.js';
import { startGatewayProcess } from '../support/gateway-process.js';
import { makeTempDir } from '../support/tmp.js';

describe('mayros gateway status', () => {
  it('probes a running gateway and reports it unreachable when it is not', async () => {
    const dir = makeTempDir('cli');
    const env = cleanEnv({ MAYROS_STATE_DIR: dir, MAYROS_GATEWAY_TOKEN: 'status-token-abcdefghijklmnop' });
    const run = await startGatewayProcess({ args: ['--port', '0'], env });
    const r = await runCli(['gateway', 'status', '--url', run.url, '--json'], env);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ reachable: true, whoami: { method: 'token' }, status: { authMode: 'token' } });
    expect((await run.stop()).code).toBe(0);
    const down = await runCli(['gateway', 'status', '--url', run.url], env);
    expect(down.code).toBe(1);
    expect(down.stdout).toContain('NOT reachable');
  });
});

describe('mayros gateway status in trusted-proxy mode', () => {
  it('shows readiness and the config generation without an identity, says what it could not learn and why, and takes -H', async () => {
    const dir = makeTempDir('cli');
    const cfg = (allowUsers: string[]) => ({ gateway: { trustedProxies: ['127.0.0.1'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user', allowUsers } } } });
    const file = writeConfig(dir, cfg([]));
    const env = cleanEnv({ MAYROS_STATE_DIR: dir });
    const run = await startGatewayProcess({ args: ['--config', file, '--port', '0', '--no-watch'], env });
    try {
      const anon = await runCli(['gateway', 'status', '--url', run.url, '--json'], env);
      expect(anon.code).toBe(0);
      const r = JSON.parse(anon.stdout);
      expect(r).toMatchObject({ reachable: true, ready: true, config: { generation: 1 }, refused: { reason: 'trusted_proxy_user_missing', status: 401 } });
      expect(r.whoami).toBeUndefined();
      expect(r.notLearned.map((n: { what: string }) => n.what)).toEqual(['who the gateway takes this client for', expect.stringContaining('the `status` method')]);
      expect(r.notLearned[0].why).toMatch(/trusted-proxy mode: it admits only requests its proxy sends with an identity header, and this probe sent none; pass the headers the proxy sets with -H/);

      const text = (await runCli(['gateway', 'status', '--url', run.url], env)).stdout;
      expect(text).toContain(`gateway ${run.url}: reachable, ready`);
      expect(text).toMatch(/config generation: 1 \(in force since \d{4}-/);
      expect(text).toContain('refused: trusted_proxy_user_missing (HTTP 401): The identity header');
      expect(text).toContain('not learned: who the gateway takes this client for');
      expect(text).not.toContain('{"error"');

      const asUser = await runCli(['gateway', 'status', '--url', run.url, '-H', 'X-Forwarded-User: ops@example.com', '--json'], env);
      expect(JSON.parse(asUser.stdout)).toMatchObject({ whoami: { user: 'ops@example.com', method: 'trusted-proxy', scopes: ['operator.read', 'operator.write'] }, status: { authMode: 'trusted-proxy' }, notLearned: [] });
      expect((await runCli(['gateway', 'status', '--url', run.url, '-H', 'X-Forwarded-User: ops@example.com'], env)).stdout).toContain('identity: ops@example.com via trusted-proxy; scopes: operator.read, operator.write');

      // A reload shows up anonymously as the next generation.
      writeFileSync(file, JSON.stringify(cfg(['ops@example.com'])));
      process.kill(run.pid, 'SIGHUP');
      let generation = 1;
      for (let i = 0; i < 50 && generation === 1; i++) {
        await new Promise((res) => setTimeout(res, 100));
        generation = JSON.parse((await runCli(['gateway', 'status', '--url', run.url, '--json'], env)).stdout).config.generation;
      }
      expect(generation).toBe(2);
      const refused = JSON.parse((await runCli(['gateway', 'status', '--url', run.url, '-H', 'X-Forwarded-User: eve@example.com', '--json'], env)).stdout);
      expect(refused.refused.reason).toBe('trusted_proxy_user_not_allowed');
      expect(refused.notLearned[0].why).toContain('refused the headers this probe sent (-H)');

      // Admitted, but with no scopes: who it is is learned, the status method is not, and the report says why.
      writeFileSync(file, JSON.stringify({ gateway: { ...cfg(['ops@example.com']).gateway, authorization: { defaultScopes: [] } } }));
      process.kill(run.pid, 'SIGHUP');
      for (let i = 0; i < 50 && generation === 2; i++) {
        await new Promise((res) => setTimeout(res, 100));
        generation = JSON.parse((await runCli(['gateway', 'status', '--url', run.url, '--json'], env)).stdout).config.generation;
      }
      expect(generation).toBe(3);
      const scopeless = JSON.parse((await runCli(['gateway', 'status', '--url', run.url, '-H', 'X-Forwarded-User: ops@example.com', '--json'], env)).stdout);
      expect(scopeless.whoami).toEqual({ user: 'ops@example.com', method: 'trusted-proxy', groups: [], scopes: [] });
      expect(scopeless.notLearned).toEqual([{ what: expect.stringContaining('the `status` method'), why: 'the status method was refused with scope_missing: status needs operator.read; you have no scopes' }]);
    } finally {
      expect((await run.stop()).code).toBe(0);
    }
  });

  it('rejects a malformed -H with exit 2', async () => {
    const r = await runCli(['gateway', 'status', '--url', 'http://127.0.0.1:1', '-H', 'no colon'], cleanEnv({ MAYROS_STATE_DIR: makeTempDir('cli') }));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not "Name: value"');
  });
});

/** Ports fetch() refuses (the Fetch standard's "bad ports") that a gateway may still use. */
const FETCH_BAD_PORTS = [10080, 6666, 6665, 6667, 6668, 6669, 6000];

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createNetServer();
    s.once('error', () => resolve(false));
    s.listen({ port, host: '127.0.0.1', exclusive: true }, () => s.close(() => resolve(true)));
  });
}

describe('probes on a port fetch() refuses', () => {
  it('gateway status and security audit --deep reach a gateway on a "bad port"', async () => {
    let port: number | undefined;
    for (const p of FETCH_BAD_PORTS) if (await canListen(p)) {
      port = p;
      break;
    }
    expect(port, `one of ${FETCH_BAD_PORTS.join(', ')} must be free on 127.0.0.1`).toBeDefined();
    const dir = makeTempDir('cli');
    const env = cleanEnv({ MAYROS_STATE_DIR: dir, MAYROS_GATEWAY_TOKEN: 'bad-port-token-abcdefghijklmnop' });
    const run = await startGatewayProcess({ args: ['--port', String(port)], env });
    try {
      // The premise: fetch() itself refuses this port without connecting.
      const refused = await fetch(`${run.url}/healthz`).then(() => 'fetched', (err: Error & { cause?: Error }) => err.cause?.message ?? err.message);
      expect(refused).toMatch(/bad port/);

      const status = await runCli(['gateway', 'status', '--url', run.url, '--json'], env);
      expect(status.code).toBe(0);
      expect(JSON.parse(status.stdout)).toMatchObject({ reachable: true, whoami: { method: 'token' }, status: { authMode: 'token', port } });

      const audit = await runCli(['security', 'audit', '--deep', '--url', run.url, '--json'], env);
      const ids = JSON.parse(audit.stdout).findings.map((f: { checkId: string }) => f.checkId);
      expect(ids).toContain('gateway.deep_ok');
      expect(ids).not.toContain('gateway.deep_unreachable');
    } finally {
      expect((await run.stop()).code).toBe(0);
    }
  });
});
