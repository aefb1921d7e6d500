import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { cachedAuditReport } from '../../src/security/run.js';
import { startGatewayFromFile, type TestGateway } from './gateway.js';

const TOKEN = 'ws-audit-token-0123456789abcdef';
let running: TestGateway | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

/** Connects with the token and sends one request; resolves with its response frame. */
function call(url: string, method: string): Promise<{ ok: boolean; payload?: unknown; error?: unknown }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/`);
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('timed out'));
    }, 5000);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'req', id: 'c', method: 'connect', params: { protocol: 1, client: { name: 'test' }, auth: { token: TOKEN } } })));
    ws.on('message', (data) => {
      const f = JSON.parse(data.toString());
      if (f.id === 'c') ws.send(JSON.stringify({ type: 'req', id: 'm', method }));
      if (f.id === 'm') {
        clearTimeout(timer);
        ws.close();
        resolve(f);
      }
    });
    ws.on('error', reject);
  });
}

describe('security.audit gateway method', () => {
  it('returns {summary, findings} for the running config, without secrets', async () => {
    running = await startGatewayFromFile({ allowRealIpFallback: true, auth: { mode: 'token', token: TOKEN } });
    const res = await call(running.url, 'security.audit');
    expect(res.ok).toBe(true);
    const payload = res.payload as { summary: Record<string, number>; findings: Array<{ checkId: string }> };
    expect(Object.keys(payload)).toEqual(['summary', 'findings']);
    expect(payload.findings.map((f) => f.checkId)).toEqual(['gateway.auth_secret_in_file', 'gateway.real_ip_fallback']);
    expect(payload.summary).toEqual({ critical: 0, warn: 2, info: 0 });
    expect(JSON.stringify(payload)).not.toContain(TOKEN);
  });

  it('computes the report once per loaded config', async () => {
    running = await startGatewayFromFile({ auth: { mode: 'token', token: TOKEN } });
    const first = cachedAuditReport(running.gw.ctx.resolved);
    expect(cachedAuditReport(running.gw.ctx.resolved)).toBe(first);
    expect(Object.isFrozen(first.findings)).toBe(true);
    const res = await call(running.url, 'security.audit');
    expect(res.payload).toEqual(first);
  });
});
