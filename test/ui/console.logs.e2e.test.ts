/**
 * The Logs tab in a real browser: offered to an admin only; shows the gateway's own lines, redacted;
 * follows new ones live; pause holds the view still and resume catches up from the cursor; the
 * level filter hides the lines below it.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { chromiumSuite, launchChromium, newContext, watchProblems, type PageProblems } from '../support/browser.js';
import { startTestGateway, type TestGateway } from '../support/gateway-inproc.js';
import { startIdentityProxy, type IdentityProxy } from '../support/identity-proxy.js';
import { httpRequest } from '../support/http-client.js';
import { createLogger } from '../../src/gateway/log.js';
import { LogRing } from '../../src/logs/ring.js';

const USERS = { 'sid-nick': 'nick@example.com', 'sid-ada': 'ada@example.com' };

describe.runIf(chromiumSuite())('Control UI Logs tab', () => {
  let gateway: TestGateway;
  let proxy: IdentityProxy;
  let browser: Browser;

  beforeAll(async () => {
    const ring = new LogRing();
    const out = new Writable({ write: (_c, _e, cb) => cb() });
    gateway = await startTestGateway(
      {
        trustedProxies: ['127.0.0.1'],
        auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user', allowUsers: Object.values(USERS) } },
        authorization: { rules: [{ users: [USERS['sid-nick']], scopes: ['operator.admin'] }] },
      },
      { logger: createLogger('json', { out, ring, level: 'debug' }), logRing: ring },
    );
    proxy = await startIdentityProxy({ gatewayPort: gateway.gw.port, users: USERS });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await proxy?.stop();
    await gateway?.stop();
  });

  async function openAs(sid: string, hash = ''): Promise<{ page: Page; problems: PageProblems }> {
    const ctx = await newContext(browser);
    await ctx.addCookies([{ name: 'mayros_test_session', value: sid, url: proxy.url }]);
    const page = await ctx.newPage();
    const problems = await watchProblems(page);
    await page.goto(`${proxy.url}/${hash}`);
    await expect.poll(() => page.locator('.pill').getAttribute('data-state')).toBe('connected');
    return { page, problems };
  }

  /** A refused request straight to the gateway from an untrusted address: one warn line, its peer the tag. */
  const refuse = (peer: string) => httpRequest(`${gateway.url}/api/status`, { localAddress: peer, headers: { 'x-forwarded-user': 'mallory@example.com', authorization: 'Bearer SECRET-never-shown' } });
  const shownPaths = (page: Page) => page.locator('ol.log-lines li .fields').allInnerTexts();

  it('is offered to an admin only', async () => {
    const { page: ada, problems } = await openAs('sid-ada', '#logs');
    expect(await ada.locator('nav.tabs a[href="#logs"]').count()).toBe(0);
    expect(await ada.locator('mayros-logs').count()).toBe(0);
    expect(await problems.collect()).toEqual([]);
    await ada.context().close();
  });

  it('shows the lines, follows new ones, pauses and resumes from its cursor, and filters by level', async () => {
    const { page: nick, problems } = await openAs('sid-nick');
    await nick.locator('nav.tabs a[href="#logs"]').click();
    await expect.poll(() => nick.locator('.follow-state').getAttribute('data-following')).toBe('yes');

    await refuse('127.0.0.2');
    await expect.poll(async () => (await shownPaths(nick)).some((t) => t.includes('peer=127.0.0.2'))).toBe(true);
    const row = nick.locator('ol.log-lines li', { hasText: 'peer=127.0.0.2' });
    expect(await row.getAttribute('data-level')).toBe('warn');
    expect(await row.innerText()).toContain('request rejected');
    expect(await nick.locator('ol.log-lines').innerText()).not.toContain('SECRET-never-shown');

    await nick.locator('button.pause').click();
    await expect.poll(() => nick.locator('.follow-state').getAttribute('data-following')).toBe('no');
    await refuse('127.0.0.3');
    // Give a follow event time to arrive if the pause had not stopped it (flush interval 250 ms).
    await nick.waitForTimeout(700);
    expect((await shownPaths(nick)).some((t) => t.includes('peer=127.0.0.3'))).toBe(false);
    await nick.locator('button.pause').click();
    await expect.poll(async () => (await shownPaths(nick)).some((t) => t.includes('peer=127.0.0.3'))).toBe(true);
    await expect.poll(() => nick.locator('.follow-state').getAttribute('data-following')).toBe('yes');

    // Info lines (the database opened at start, ...) are shown by default; "warn and above" hides them.
    const info = () => nick.locator('ol.log-lines li[data-level="info"]').count();
    expect(await info()).toBeGreaterThan(0);
    await nick.locator('select.level-filter').selectOption('warn');
    expect(await info()).toBe(0);
    expect(await nick.locator('ol.log-lines li[data-level="warn"]').count()).toBeGreaterThanOrEqual(2);
    await nick.locator('select.level-filter').selectOption('info');
    expect(await info()).toBeGreaterThan(0);

    // Leaving the tab stops the gateway's events to this session.
    await nick.locator('nav.tabs a[href="#overview"]').click();
    await expect.poll(() => gateway.gw.ctx.logs.followers.size).toBe(0);
    expect(await problems.collect()).toEqual([]);
    await nick.context().close();
  });
});
