/**
 * Control UI in token mode, opened directly in Chromium: the token from #token=... connects,
 * leaves the address bar, and survives a reload; a wrong token is explained from the reason table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { REASONS } from '../../src/protocol/reasons.js';
import { chromiumSuite, launchChromium, newContext, watchProblems } from '../support/browser.js';
import { startTestGateway, type TestGateway } from '../support/gateway-inproc.js';
import { auditShown } from '../support/control-ui.js';
import { cachedAuditReport } from '../../src/security/run.js';

const TOKEN = 'ui-test-token-4f1b9c2e7d';

describe.runIf(chromiumSuite())('Control UI, token mode, direct', () => {
  let gateway: TestGateway;
  let browser: Browser;

  beforeAll(async () => {
    gateway = await startTestGateway({ auth: { mode: 'token', token: TOKEN } });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  it('connects with #token=..., shows the identity and status, and drops the token from the URL', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const problems = await watchProblems(page);
    const res = await page.goto(`${gateway.url}/#token=${TOKEN}`);
    // The policy the test relies on is really in force on the page.
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");

    await expect.poll(() => page.locator('.pill').getAttribute('data-state')).toBe('connected');
    await expect.poll(() => page.locator('.pill').innerText()).toMatch(/connected/i);
    expect(await page.locator('.identity').innerText()).toMatch(/signed in with the gateway token/i);
    await expect.poll(() => page.locator('dd.auth-mode').innerText()).toBe('token');
    await expect.poll(() => page.locator('dd.clients').innerText()).toBe('1 connected');
    expect(await page.locator('dd.version').innerText()).toBe(gateway.gw.ctx.version);
    await expect.poll(() => page.locator('ul.people li').count()).toBe(1);
    expect(await page.locator('ul.people li .client').innerText()).toBe(`mayros-control-ui ${gateway.gw.ctx.version}`);
    const report = cachedAuditReport(gateway.gw.ctx.resolved);
    expect(await auditShown(page)).toEqual({ summary: report.summary, checks: report.findings.map((f) => f.checkId) });

    // The fragment is gone from the address bar; the token lives in localStorage instead.
    expect(page.url()).toBe(`${gateway.url}/`);
    expect(await page.evaluate(`localStorage.getItem('mayros.gateway.token')`)).toBe(TOKEN);

    expect(await problems.collect()).toEqual([]);

    // A reload connects again from storage alone.
    await page.reload();
    await expect.poll(() => page.locator('.pill').getAttribute('data-state')).toBe('connected');
    expect(await problems.collect()).toEqual([]);
    await ctx.close();
  });

  it('explains token_mismatch for a wrong token, links the docs entry, and accepts a pasted token', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    // The refused WebSocket is logged by Chromium as a console error; nothing else may be.
    const problems = await watchProblems(page, [/WebSocket connection to .* failed/]);
    await page.goto(`${gateway.url}/#token=not-the-token`);

    const panel = page.locator('section.refused');
    await expect.poll(() => panel.getAttribute('data-reason')).toBe('token_mismatch');
    expect(await page.locator('.pill').getAttribute('data-state')).toBe('refused');
    expect(await panel.locator('.code').innerText()).toBe('token_mismatch');
    expect(await panel.locator('.meaning').innerText()).toBe(REASONS.token_mismatch.message);
    expect(await panel.locator('.fix').innerText()).toContain(REASONS.token_mismatch.fix);

    // The docs link goes to the gateway's own copy of the troubleshooting entry.
    const href = await panel.locator('a.docs').getAttribute('href');
    expect(href).toBe('docs/troubleshooting.html#token_mismatch');
    const docs = await ctx.newPage();
    const docsProblems = await watchProblems(docs);
    const docsRes = await docs.goto(new URL(href!, `${gateway.url}/`).href);
    expect(docsRes?.status()).toBe(200);
    expect(docsRes?.headers()['content-security-policy']).toContain("default-src 'self'");
    expect(await docs.locator('h3#token_mismatch').innerText()).toBe('token_mismatch');
    expect(await docs.locator('h3:target').getAttribute('id')).toBe('token_mismatch');
    expect(await docsProblems.collect()).toEqual([]);
    await docs.close();

    // Pasting the right token in the offered field (focused for the keyboard) connects and stores it.
    await expect.poll(() => page.evaluate(`document.querySelector('mayros-console').shadowRoot.activeElement?.name`)).toBe('secret');
    await page.keyboard.type(TOKEN);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.pill').getAttribute('data-state')).toBe('connected');
    expect(await page.locator('section.refused').count()).toBe(0);
    expect(await page.evaluate(`localStorage.getItem('mayros.gateway.token')`)).toBe(TOKEN);
    expect(await problems.collect()).toEqual([]);
    await ctx.close();
  });

  it('shows reconnecting when the gateway goes away and connects again when it is back', async () => {
    const own = await startTestGateway({ auth: { mode: 'token', token: TOKEN } });
    const port = own.gw.port;
    let restarted: TestGateway | undefined;
    const ctx = await newContext(browser);
    try {
      const page = await ctx.newPage();
      await page.goto(`${own.url}/#token=${TOKEN}`);
      await expect.poll(() => page.locator('.pill').getAttribute('data-state')).toBe('connected');
      const firstConn = await page.locator('.conn-id').innerText();

      await own.stop();
      await expect.poll(() => page.locator('.pill').getAttribute('data-state')).toBe('reconnecting');
      expect(await page.locator('section.reconnecting').innerText()).toMatch(/restarting or shutting down/);
      // The last known state stays visible, dimmed, rather than a blank page.
      expect(await page.locator('section.card.stale').count()).toBeGreaterThan(0);

      restarted = await startTestGateway({ port, auth: { mode: 'token', token: TOKEN } });
      await expect.poll(() => page.locator('.pill').getAttribute('data-state'), { timeout: 20_000 }).toBe('connected');
      expect(await page.locator('.conn-id').innerText()).not.toBe(firstConn);
      expect(await page.locator('section.card.stale').count()).toBe(0);
    } finally {
      await ctx.close();
      await restarted?.stop();
    }
  });

  it('would notice a CSP violation (the watcher used above is live)', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    const problems = await watchProblems(page);
    await page.goto(`${gateway.url}/#token=${TOKEN}`);
    await expect.poll(() => page.locator('.pill').getAttribute('data-state')).toBe('connected');
    await page.evaluate(`document.head.insertAdjacentHTML('beforeend', '<style>body { color: red }</style>')`);
    await expect.poll(async () => (await problems.collect()).join('\n')).toMatch(/csp: style-src/);
    await ctx.close();
  });

  it('asks for a token when none is given (token_missing), without a blank page', async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await page.goto(`${gateway.url}/`);
    const panel = page.locator('section.refused');
    await expect.poll(() => panel.getAttribute('data-reason')).toBe('token_missing');
    expect(await panel.locator('.meaning').innerText()).toBe(REASONS.token_missing.message);
    expect(await panel.locator('input[name="secret"]').count()).toBe(1);
    // It says where a generated token is kept, and how to get the link again.
    const home = await panel.locator('.token-home').innerText();
    expect(home).toContain('~/.mayros/gateway.token');
    expect(home).toContain('$MAYROS_STATE_DIR/gateway.token');
    expect(home).toContain('mayros gateway url');
    await ctx.close();
  });
});
