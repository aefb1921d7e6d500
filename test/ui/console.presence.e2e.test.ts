/**
 * Presence in the Control UI: two browser contexts signed in as two users (through an
 * identity-setting proxy) see each other join and leave, live.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { chromiumSuite, launchChromium, newContext, watchProblems, type PageProblems } from '../support/browser.js';
import { startTestGateway, type TestGateway } from '../support/gateway-inproc.js';
import { startIdentityProxy, type IdentityProxy } from '../support/identity-proxy.js';
import { auditShown } from '../support/control-ui.js';
import { wsClient } from '../support/ws-client.js';
import { cachedAuditReport } from '../../src/security/run.js';

const USERS = { 'sid-nick': 'nick@example.com', 'sid-ada': 'ada@example.com' };
const BOT = 'bot@example.com';

describe.runIf(chromiumSuite())('Control UI presence', () => {
  let gateway: TestGateway;
  let proxy: IdentityProxy;
  let browser: Browser;

  beforeAll(async () => {
    gateway = await startTestGateway({
      trustedProxies: ['127.0.0.1'],
      auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user', allowUsers: [...Object.values(USERS), BOT] } },
      // Nick runs the gateway: the security card needs operator.admin.
      authorization: { rules: [{ users: [USERS['sid-nick']], scopes: ['operator.admin'] }] },
    });
    proxy = await startIdentityProxy({ gatewayPort: gateway.gw.port, users: USERS });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await proxy?.stop();
    await gateway?.stop();
  });

  async function openAs(sid: string): Promise<{ page: Page; problems: PageProblems }> {
    const ctx = await newContext(browser);
    await ctx.addCookies([{ name: 'mayros_test_session', value: sid, url: proxy.url }]);
    const page = await ctx.newPage();
    const problems = await watchProblems(page);
    await page.goto(`${proxy.url}/`);
    await expect.poll(() => page.locator('.pill').getAttribute('data-state')).toBe('connected');
    return { page, problems };
  }

  const people = (page: Page) => page.locator('ul.people li').evaluateAll((els) => els.map((e) => e.getAttribute('data-user')).sort());

  it('shows each user the other joining and leaving', async () => {
    const { page: nick, problems } = await openAs('sid-nick');
    expect(await nick.locator('.identity').innerText()).toBe('Signed in via your proxy as nick@example.com');
    await expect.poll(() => people(nick)).toEqual(['nick@example.com']);
    expect(await nick.locator('ul.people li[data-user="nick@example.com"] .badge.you').count()).toBe(1);

    // The security card lists what the gateway's own audit reports, with the critical
    // trusted-proxy reminder open.
    const report = cachedAuditReport(gateway.gw.ctx.resolved);
    expect(await auditShown(nick)).toEqual({ summary: report.summary, checks: report.findings.map((f) => f.checkId) });
    const reminder = nick.locator('li[data-check="gateway.trusted_proxy_mode"] details');
    expect(await reminder.getAttribute('open')).not.toBeNull();
    const finding = report.findings.find((f) => f.checkId === 'gateway.trusted_proxy_mode')!;
    // Backtick spans are shown as code, without the backticks.
    expect(await reminder.innerText()).toContain(finding.remediation.replace(/`/g, ''));
    if (finding.remediation.includes('`')) expect(await reminder.locator('code').count()).toBeGreaterThan(0);

    const { page: ada, problems: adaProblems } = await openAs('sid-ada');
    expect(await ada.locator('.identity').innerText()).toBe('Signed in via your proxy as ada@example.com');
    // Neither page reloads: nick learns about ada from a live presence event.
    await expect.poll(() => people(nick)).toEqual(['ada@example.com', 'nick@example.com']);
    await expect.poll(() => people(ada)).toEqual(['ada@example.com', 'nick@example.com']);
    expect(await ada.locator('ul.people li[data-user="nick@example.com"] .client').innerText()).toContain('mayros-control-ui');
    expect(await ada.locator('ul.people li[data-user="nick@example.com"] .badge.you').count()).toBe(0);
    await expect.poll(() => nick.locator('dd.clients').innerText()).toBe('2 connected');

    expect(await adaProblems.collect()).toEqual([]);
    await ada.context().close();
    await expect.poll(() => people(nick)).toEqual(['nick@example.com']);
    await expect.poll(() => nick.locator('dd.clients').innerText()).toBe('1 connected');
    expect(await problems.collect()).toEqual([]);
    await nick.context().close();
  });

  it('keeps the list live past 200 sessions, when presence events no longer carry the full list', async () => {
    const { page: nick, problems } = await openAs('sid-nick');
    await expect.poll(() => people(nick)).toEqual(['nick@example.com']);
    // 201 more sessions straight to the gateway from 127.0.0.1 (a trusted proxy address).
    const bots = Array.from({ length: 201 }, () => wsClient(gateway.wsUrl, { headers: { 'x-forwarded-user': BOT }, idle: true }));
    for (const b of bots) expect((await b.hello).ok).toBe(true);
    await expect.poll(() => people(nick).then((p) => p.length), { timeout: 10_000 }).toBe(202);
    for (const b of bots) b.ws.close();
    await expect.poll(() => people(nick), { timeout: 10_000 }).toEqual(['nick@example.com']);
    expect(await problems.collect()).toEqual([]);
    await nick.context().close();
  });
});
