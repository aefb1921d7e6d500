import { afterEach, describe, expect, it } from 'vitest';
import { cachedAuditReport } from '../../src/security/run.js';
import { startTestGateway, type TestGateway } from '../support/gateway-inproc.js';
import { wsConnect } from '../support/ws-client.js';

const TOKEN = 'ws-audit-token-0123456789abcdef';
let running: TestGateway | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

/** The gateway under audit runs without the Control UI. */
const NO_UI = { controlUi: { enabled: false } };

/** Connects with the token and sends one request; resolves with its response frame. */
async function call(t: TestGateway, method: string): Promise<{ ok: boolean; payload?: unknown; error?: unknown }> {
  const { client } = await wsConnect(t.wsUrl, { auth: { token: TOKEN } });
  const res = await client.request(method);
  client.ws.close();
  return res;
}

describe('security.audit gateway method', () => {
  it('returns {summary, findings} for the running config, without secrets', async () => {
    running = await startTestGateway({ allowRealIpFallback: true, auth: { mode: 'token', token: TOKEN }, ...NO_UI });
    const res = await call(running, 'security.audit');
    expect(res.ok).toBe(true);
    const payload = res.payload as { summary: Record<string, number>; findings: Array<{ checkId: string }> };
    expect(Object.keys(payload)).toEqual(['summary', 'findings']);
    expect(payload.findings.map((f) => f.checkId)).toEqual(['gateway.auth_secret_in_file', 'gateway.real_ip_fallback']);
    expect(payload.summary).toEqual({ critical: 0, warn: 2, info: 0 });
    expect(JSON.stringify(payload)).not.toContain(TOKEN);
  });

  it('computes the report once per loaded config', async () => {
    running = await startTestGateway({ auth: { mode: 'token', token: TOKEN }, ...NO_UI });
    const first = cachedAuditReport(running.gw.ctx.resolved);
    expect(cachedAuditReport(running.gw.ctx.resolved)).toBe(first);
    expect(Object.isFrozen(first.findings)).toBe(true);
    const res = await call(running, 'security.audit');
    expect(res.payload).toEqual(first);
  });
});
