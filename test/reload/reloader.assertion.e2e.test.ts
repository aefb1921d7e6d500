/**
 * Reload with signed assertions (trusted-proxy mode with a key file): sessions are re-verified
 * with the new keys and rules as of the moment they were admitted, a rotated key file is picked up
 * by a reload, and group rules apply to open sessions.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JWTPayload } from 'jose';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway-inproc.js';
import { claims, jwksOf, makeSigner, type TestSigner } from '../support/signing.js';
import { makeTempDir } from '../support/tmp.js';
import { sleep, within } from '../support/wait.js';
import { wsClient } from '../support/ws-client.js';

const HOST = 'mayros.test';
let k1: TestSigner;
let k2: TestSigner;
beforeAll(async () => {
  k1 = await makeSigner('k1');
  k2 = await makeSigner('k2');
});

let t: TestGateway | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

function config(jwksFile: string, allowGroups: string[], origins: string[] = []) {
  return {
    trustedProxies: ['127.0.0.1'],
    controlUi: { enabled: false, allowedOrigins: origins },
    auth: {
      mode: 'trusted-proxy',
      trustedProxy: {
        userHeader: 'x-forwarded-user',
        assertion: { preset: 'pomerium', audience: HOST, jwksFile, clockToleranceSec: 0 },
        allowGroups,
      },
    },
  };
}

/** Starts a gateway whose key file (in its own temp dir) holds `signers`. */
async function start(signers: TestSigner[], allowGroups: string[]): Promise<{ keyFile: string }> {
  // The key file must exist before the config that names it is validated.
  const keyFile = join(makeTempDir('keys'), 'jwks.json');
  writeFileSync(keyFile, JSON.stringify(jwksOf(...signers)));
  t = await startTestGateway(config(keyFile, allowGroups));
  return { keyFile };
}

function session(signer: TestSigner, extra: JWTPayload = {}, life = { ageSec: 1, lifeSec: 300 }) {
  return signer
    .sign(claims(Date.now(), { iss: HOST, aud: HOST, email: 'nick@example.com', groups: ['ops'], ...extra }, life))
    .then((token) => wsClient(t!.port, { headers: { 'x-forwarded-user': 'nick@example.com', 'x-pomerium-jwt-assertion': token } }));
}

describe('reload with signed assertions', () => {
  it('keeps a session whose short-lived assertion has expired since admission: it is re-verified as of then', async () => {
    const { keyFile } = await start([k1], ['ops']);
    const s = await session(k1, {}, { ageSec: 0, lifeSec: 2 });
    expect((await s.hello).ok).toBe(true);
    await sleep(2300);
    const out = await t!.rewrite(config(keyFile, ['ops'], ['https://console.example.com']));
    expect(out).toMatchObject({ status: 'applied', recheck: { checked: 1, closed: 0 } });
    expect(await s.request('whoami')).toMatchObject({ ok: true, payload: { user: 'nick@example.com' } });
  });

  it('picks up a rotated key file on reload and closes sessions signed with the retired key', async () => {
    const { keyFile } = await start([k1], ['ops']);
    const old = await session(k1);
    expect((await old.hello).ok).toBe(true);

    writeFileSync(keyFile, JSON.stringify(jwksOf(k2)));
    const out = await t!.gw.reload('SIGHUP');
    expect(out).toMatchObject({ status: 'applied', generation: 2, changed: [expect.stringContaining('key file')] });
    expect(await within(old.closed, 3000, 'the k1 session to close')).toMatchObject({ code: 1008, reason: 'trusted_proxy_assertion_invalid' });

    const fresh = await session(k2);
    expect((await fresh.hello).ok).toBe(true);
    const stale = await session(k1);
    expect(await stale.hello).toMatchObject({ ok: false, closed: { code: 1008, reason: 'trusted_proxy_assertion_invalid' } });
    fresh.ws.close();
  });

  it('applies a changed group rule to open sessions, using the groups from their assertion', async () => {
    const { keyFile } = await start([k1], ['ops', 'admins']);
    const ops = await session(k1, { groups: ['ops'] });
    const admin = await session(k1, { groups: ['admins', 'ops'] });
    expect((await ops.hello).ok).toBe(true);
    expect((await admin.hello).ok).toBe(true);
    const out = await t!.rewrite(config(keyFile, ['admins']));
    expect(out).toMatchObject({ status: 'applied', recheck: { checked: 2, closed: 1, byReason: { trusted_proxy_user_not_allowed: 1 } } });
    expect(await within(ops.closed, 3000, 'the ops session to close')).toMatchObject({ code: 1008, reason: 'trusted_proxy_user_not_allowed' });
    expect(await admin.request('whoami')).toMatchObject({ ok: true, payload: { groups: ['admins', 'ops'] } });
    admin.ws.close();
  });

  it('rejects a reload whose key file is broken, keeping the keys in force', async () => {
    const { keyFile } = await start([k1], ['ops']);
    const s = await session(k1);
    expect((await s.hello).ok).toBe(true);
    writeFileSync(keyFile, '{"keys": "nope"');
    const out = await t!.gw.reload('SIGHUP');
    expect(out.status).toBe('rejected');
    if (out.status === 'rejected') expect(out.error.issues[0]!.path).toBe('gateway.auth.trustedProxy.assertion.jwksFile');
    expect(t!.gw.ctx.generation.n).toBe(1);
    const again = await session(k1);
    expect((await again.hello).ok).toBe(true);
    expect(s.ws.readyState).toBe(s.ws.OPEN);
  });
});
