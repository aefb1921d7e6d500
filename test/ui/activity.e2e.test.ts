/**
 * The Activity view in Chromium behind real nginx (examples/proxies/nginx, auth_request to the auth
 * endpoint stand-in): an admin sees the journal newest first (sign-ins, a refusal with the claimed
 * name, a reload), filters it by person and kind, and pages through it; a reader is not offered
 * the tab, and `#activity` shows her the overview.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { JournalRecorder } from '../../src/journal/recorder.js';
import { watchProblems, type PageProblems } from '../support/browser.js';
import { browserStackSuite, startBrowserStack, type BrowserStack } from '../support/browser-stack.js';
import { NGINX_RECIPE_DIR } from '../support/nginx.js';
import { recipeGatewayConfig } from '../proxies/conformance.js';
import { PAGE_SIZE } from '../../ui/src/activity.js';

const ADMIN = 'alice@example.com';
const READER = 'rita@example.com';
const MALLORY = 'mallory@example.com';

function gatewayConfig(allowUsers = [ADMIN, READER]): Record<string, unknown> {
  const { gateway } = recipeGatewayConfig(NGINX_RECIPE_DIR);
  gateway.port = 0;
  gateway.auth.trustedProxy.allowUsers = allowUsers;
  gateway.authorization = { defaultScopes: ['operator.read'], rules: [{ users: [ADMIN], scopes: ['operator.admin'] }] };
  return gateway;
}

describe.runIf(browserStackSuite())('Control UI Activity view behind nginx', () => {
  let stack: BrowserStack;

  beforeAll(async () => {
    stack = await startBrowserStack({ users: { 'sid-alice': ADMIN, 'sid-rita': READER, 'sid-mallory': MALLORY }, gateway: { config: gatewayConfig() } });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  async function openAs(sid: string, fragment = ''): Promise<{ page: Page; problems: PageProblems }> {
    const ctx = await stack.signIn(sid);
    const page = await ctx.newPage();
    const problems = await watchProblems(page);
    const res = await page.goto(`${stack.nginx.url}/${fragment}`);
    expect(res?.status(), stack.nginx.errorLog()).toBe(200);
    return { page, problems };
  }

  const rows = (page: Page) => page.locator('table.journal tbody tr');

  it('shows an admin the journal newest first, who / what / when, with filters and paging; a reader gets no tab', async () => {
    // A refused colleague, a reader signing in, and a reload, all before the admin looks.
    const mallory = await openAs('sid-mallory');
    await expect.poll(() => mallory.page.locator('.pill').getAttribute('data-state')).toBe('refused');
    await mallory.page.context().close();
    const rita = await openAs('sid-rita', '#activity');
    await expect.poll(() => rita.page.locator('.pill').getAttribute('data-state')).toBe('connected');
    expect(await stack.gateway.rewrite(gatewayConfig([ADMIN, READER, 'carol@example.com']))).toMatchObject({ status: 'applied' });

    const alice = await openAs('sid-alice', '#activity');
    try {
      await expect.poll(() => rows(alice.page).count()).toBeGreaterThan(0);
      expect(await alice.page.locator('nav.tabs a[href="#activity"]').getAttribute('aria-current')).toBe('page');
      const kinds = await rows(alice.page).evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-kind')));
      const seqs = await rows(alice.page).evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-seq'))));
      expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
      expect(kinds).toEqual(expect.arrayContaining(['auth.admit', 'auth.refuse', 'reload']));

      const refusal = rows(alice.page).filter({ has: alice.page.locator('td.what', { hasText: 'trusted_proxy_user_not_allowed' }) }).first();
      expect(await refusal.locator('td.who').innerText()).toBe(`${MALLORY}\nclaimed, not verified`);
      expect(await refusal.locator('td.what').innerText()).toMatch(/^refused: trusted_proxy_user_not_allowed, console from 127\.0\.0\.1/);
      expect(await refusal.locator('td.when').innerText()).toMatch(/^\d\d:\d\d:\d\d$/);
      expect(await refusal.locator('td.when').getAttribute('title')).toMatch(/^\d{4}-\d\d-\d\dT/);
      const reload = rows(alice.page).filter({ has: alice.page.locator('td.what', { hasText: 'config reloaded' }) }).first();
      expect(await reload.locator('td.what').innerText()).toContain('config reloaded by the program: applied (generation 2): gateway.auth.trustedProxy.allowUsers');
      expect(await reload.locator('td.who').innerText()).toBe('the gateway');

      // Filter: the reader's sign-ins only.
      await alice.page.locator('input[name="user"]').fill(READER);
      await alice.page.locator('select[name="kind"]').selectOption('signin');
      await alice.page.locator('form.filters button[type="submit"]').click();
      await expect.poll(() => rows(alice.page).evaluateAll((trs) => trs.map((tr) => tr.querySelector('td.who')!.textContent!.trim()))).toEqual([READER]);
      expect(await rows(alice.page).first().getAttribute('data-kind')).toBe('auth.admit');
      await alice.page.locator('input[name="user"]').fill('nobody@example.com');
      await alice.page.locator('form.filters button[type="submit"]').click();
      await expect.poll(() => alice.page.locator('p.empty').count()).toBe(1);

      // Paging: more than a page of entries, older and back.
      const d = stack.gateway.gw.ctx.database;
      if (d.state !== 'open') throw new Error('no database');
      for (let i = 0; i < PAGE_SIZE + 5; i++) stack.gateway.gw.ctx.journal.record({ kind: 'reload', actor: { type: 'system' }, payload: { source: 'api', result: 'unchanged', generation: 2 } });
      (stack.gateway.gw.ctx.journal as JournalRecorder).flush();
      await alice.page.locator('input[name="user"]').fill('');
      await alice.page.locator('select[name="kind"]').selectOption('all');
      await alice.page.locator('form.filters button[type="submit"]').click();
      await expect.poll(() => rows(alice.page).count()).toBe(PAGE_SIZE);
      const first = await rows(alice.page).first().getAttribute('data-seq');
      expect(await alice.page.locator('button.newer').isDisabled()).toBe(true);
      await alice.page.locator('button.older').click();
      await expect.poll(() => rows(alice.page).first().getAttribute('data-seq')).toBe(String(Number(first) - PAGE_SIZE));
      await alice.page.locator('button.newer').click();
      await expect.poll(() => rows(alice.page).first().getAttribute('data-seq')).toBe(first);

      // The reader: no Activity tab, and its fragment shows the overview; she never asked for the journal.
      expect(await rita.page.locator('nav.tabs a[href="#activity"]').count()).toBe(0);
      expect(await rita.page.locator('mayros-activity').count()).toBe(0);
      expect(await rita.page.locator('.you-can').innerText()).toBe('You can: read');
      expect(stack.gateway.logs.filter((l) => l.event === 'scope_missing' && l.user === READER)).toEqual([]);

      expect(await alice.problems.collect()).toEqual([]);
      expect(await rita.problems.collect()).toEqual([]);
    } finally {
      await alice.page.context().close();
      await rita.page.context().close();
    }
  });
});
