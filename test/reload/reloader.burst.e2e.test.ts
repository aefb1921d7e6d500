/**
 * A reload in the middle of a bounded burst of HTTP requests and WebSocket upgrades never yields
 * a wrong decision: each answer matches the old or the new rules for that exact request, and
 * every request started after the reload returned is decided by the new rules only.
 *
 * The two rule sets are built so that any mix of them admits requests neither admits: the old
 * rules trust 127.0.0.1 and read x-user, the new ones trust 127.0.0.4 and read x-email. A request
 * from 127.0.0.1 carrying x-email is refused by both (untrusted source under the new, no user
 * under the old) but would pass "old proxies + new header". So a single 200 for such a request
 * is a torn read.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Agent } from 'node:http';
import { startTestGateway, type TestGateway } from '../support/gateway-inproc.js';
import { httpRequest } from '../support/http-client.js';
import { within } from '../support/wait.js';
import { wsClient, type WsClient } from '../support/ws-client.js';

interface Rules {
  proxy: string;
  header: string;
  allow: readonly string[];
}
const OLD: Rules = { proxy: '127.0.0.1', header: 'x-user', allow: ['alice', 'bob'] };
const NEW: Rules = { proxy: '127.0.0.4', header: 'x-email', allow: ['bob', 'carol'] };

const configFor = (r: Rules) => ({
  trustedProxies: [r.proxy],
  auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: r.header, allowUsers: [...r.allow] } },
});

interface Case {
  src: string;
  header: string;
  user: string;
}

/** The decision, restated by hand from the documented order (source, identity, allowlist). */
function expected(r: Rules, c: Case): string {
  if (c.src !== r.proxy) return 'trusted_proxy_untrusted_source';
  if (c.header !== r.header) return 'trusted_proxy_user_missing';
  return r.allow.includes(c.user) ? 'ok' : 'trusted_proxy_user_not_allowed';
}

const CASES: Case[] = [];
for (const src of ['127.0.0.1', '127.0.0.4']) for (const header of ['x-user', 'x-email']) for (const user of ['alice', 'bob', 'carol']) CASES.push({ src, header, user });

interface Record_ {
  c: Case;
  phase: 'before' | 'after';
  outcome: string;
  surface: 'http' | 'ws';
}

let t: TestGateway | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

describe('reload during a burst', () => {
  it('never yields a decision that is neither the old nor the new rules, and only the new after the reload', async () => {
    t = await startTestGateway(configFor(OLD));
    const port = t.port;
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const WORKERS = 8;
    const PER_WORKER = 60;
    const TOTAL = WORKERS * PER_WORKER;
    const records: Record_[] = [];
    const admitted: Array<{ c: Case; client: WsClient; phase: 'before' | 'after' }> = [];
    let reloaded = false;
    let done = 0;

    let reloading = false;
    const maybeReload = async () => {
      if (!reloading && done >= TOTAL / 2) {
        reloading = true;
        const out = await t!.rewrite(configFor(NEW));
        expect(out.status).toBe('applied');
        // Requests that start from here on must see only the new rules.
        reloaded = true;
      }
    };

    const worker = async (w: number) => {
      for (let i = 0; i < PER_WORKER; i++) {
        const c = CASES[(w * 7 + i * 5) % CASES.length]!;
        const phase = reloaded ? 'after' : 'before';
        const headers = { [c.header]: c.user };
        if (i % 4 === 3) {
          const client = wsClient(port, { headers, localAddress: c.src });
          const hello = await within(client.hello, 5000, 'a WebSocket answer');
          const outcome = hello.ok ? 'ok' : hello.closed.reason;
          records.push({ c, phase, outcome, surface: 'ws' });
          if (hello.ok) admitted.push({ c, client, phase });
        } else {
          const res = await httpRequest(`http://127.0.0.1:${port}/api/whoami`, { headers, localAddress: c.src, agent });
          const outcome = res.status === 200 ? 'ok' : String((res.json.error as { reason?: string } | undefined)?.reason);
          records.push({ c, phase, outcome, surface: 'http' });
        }
        done++;
        await maybeReload();
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
    agent.destroy();

    expect(reloaded).toBe(true);
    expect(records).toHaveLength(TOTAL);
    const wrong = records.filter((r) => {
      const allowed = r.phase === 'after' ? [expected(NEW, r.c)] : [expected(OLD, r.c), expected(NEW, r.c)];
      return !allowed.includes(r.outcome);
    });
    expect(wrong).toEqual([]);
    // Both rule sets were exercised, and some requests were admitted under each.
    expect(records.filter((r) => r.phase === 'before' && r.outcome === 'ok').length).toBeGreaterThan(0);
    expect(records.filter((r) => r.phase === 'after' && r.outcome === 'ok').length).toBeGreaterThan(0);
    expect(records.filter((r) => r.surface === 'ws' && r.phase === 'after').length).toBeGreaterThan(0);

    // No case is admitted by both rule sets, so every session admitted under the old rules is
    // closed by the re-check with the new rules' reason, and every one admitted after stays.
    for (const a of admitted) {
      if (expected(NEW, a.c) === 'ok' && a.phase === 'after') {
        expect(a.client.ws.readyState).toBe(a.client.ws.OPEN);
      } else if (expected(NEW, a.c) !== 'ok') {
        expect(await within(a.client.closed, 3000, 'a revoked session to close')).toMatchObject({ code: 1008, reason: expected(NEW, a.c) });
      }
      a.client.ws.close();
    }
    expect(admitted.some((a) => expected(NEW, a.c) !== 'ok')).toBe(true);
  });

  it('an invalid reload in the middle of a burst changes no decision', async () => {
    t = await startTestGateway(configFor(OLD));
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const outcomes: string[] = [];
    const jobs: Array<Promise<void>> = [];
    for (let i = 0; i < 200; i++) {
      const c = CASES[i % CASES.length]!;
      if (i === 100) expect((await t.rewrite({ ...configFor(NEW), trustedProxies: ['not-an-ip'] })).status).toBe('rejected');
      jobs.push(
        httpRequest(`${t.url}/api/whoami`, { headers: { [c.header]: c.user }, localAddress: c.src, agent }).then((res) => {
          const got = res.status === 200 ? 'ok' : String((res.json.error as { reason?: string }).reason);
          outcomes.push(got === expected(OLD, c) ? 'right' : `wrong ${JSON.stringify(c)} ${got}`);
        }),
      );
      if (jobs.length >= 8) await Promise.all(jobs.splice(0));
    }
    await Promise.all(jobs);
    agent.destroy();
    expect(outcomes.filter((o) => o !== 'right')).toEqual([]);
    expect(outcomes).toHaveLength(200);
  });
});
