/**
 * Control UI in trusted-proxy mode, opened directly instead of through the proxy: the browser's
 * address is not a trusted proxy, so the page must explain trusted_proxy_untrusted_source
 * (not go blank) and must not offer a token field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { REASONS } from '../../src/protocol/reasons.js';
import { chromiumSuite, launchChromium, newContext, watchProblems } from '../support/browser.js';
import { startTestGateway, type TestGateway } from '../support/gateway-inproc.js';

describe.runIf(chromiumSuite())('Control UI, trusted-proxy mode, opened directly', () => {
  let gateway: TestGateway;
  let browser: Browser;

  beforeAll(async () => {
    // Chromium cannot pick its source address, so the browser comes from 127.0.0.1 and the
    // configured proxy is another loopback address the browser is not.
    gateway = await startTestGateway({
      bind: 'custom',
      customBindHost: '127.0.0.1',
      trustedProxies: ['127.0.0.3'],
      auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user' } },
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  it('shows trusted_proxy_untrusted_source explained, with the docs link and no token field', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const problems = await watchProblems(page);
    // A header the browser sets itself must change nothing: the peer address decides.
    await ctx.setExtraHTTPHeaders({ 'x-forwarded-user': 'mallory@example.com' });
    const res = await page.goto(`${gateway.url}/`);
    expect(res?.status()).toBe(200);

    const panel = page.locator('section.refused');
    await expect.poll(() => panel.getAttribute('data-reason')).toBe('trusted_proxy_untrusted_source');
    expect(await page.locator('.pill').getAttribute('data-state')).toBe('refused');
    expect(await panel.locator('.meaning').innerText()).toBe(REASONS.trusted_proxy_untrusted_source.message);
    expect(await panel.locator('.fix').innerText()).toContain(REASONS.trusted_proxy_untrusted_source.fix);
    expect(await panel.locator('a.docs').getAttribute('href')).toBe('docs/troubleshooting.html#trusted_proxy_untrusted_source');
    expect(await page.locator('input').count()).toBe(0);
    expect(await page.locator('.identity').count()).toBe(0);

    // "Try again" is keyboard-reachable and gets the same, stable answer.
    await panel.locator('button').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.pill').getAttribute('data-state')).toBe('refused');
    expect(await panel.getAttribute('data-reason')).toBe('trusted_proxy_untrusted_source');
    expect(await problems.collect()).toEqual([]);
    await ctx.close();
  });
});
