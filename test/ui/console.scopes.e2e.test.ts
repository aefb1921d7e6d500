/**
 * Scopes in the Control UI, in Chromium behind real nginx (examples/proxies/nginx, auth_request to
 * the auth endpoint stand-in): an admin and a read-only user in two browser contexts see different
 * consoles ("You can: admin" with the security audit; "You can: read" with a note in its place,
 * the audit never asked for); a reload that demotes the admin updates the open page (the audit
 * disappears, the "You can" line changes) over the same WebSocket, without a reconnect; and a
 * request the gateway refuses with scope_missing is explained from the reason table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { REASONS } from '../../src/protocol/reasons.js';
import { watchProblems, type PageProblems } from '../support/browser.js';
import { browserStackSuite, startBrowserStack, type BrowserStack } from '../support/browser-stack.js';
import { auditShown } from '../support/control-ui.js';
import { NGINX_RECIPE_DIR } from '../support/nginx.js';
import { recipeGatewayConfig } from '../proxies/conformance.js';

const ADMIN = 'alice@example.com';
const READER = 'rita@example.com';

/** The recipe's gateway section, with both people allowed in: everyone may read, alice is named an admin (or, demoted, not). */
function gatewayConfig(aliceIsAdmin: boolean): Record<string, unknown> {
  const { gateway } = recipeGatewayConfig(NGINX_RECIPE_DIR);
  gateway.port = 0;
  gateway.auth.trustedProxy.allowUsers = [ADMIN, READER];
  gateway.authorization = { defaultScopes: ['operator.read'], rules: aliceIsAdmin ? [{ users: [ADMIN], scopes: ['operator.admin'] }] : [] };
  return gateway;
}

interface OpenPage {
  page: Page;
  problems: PageProblems;
  /** Every WebSocket the page opened, and whether each has closed. */
  sockets: Array<{ url: string; closed: boolean }>;
}

describe.runIf(browserStackSuite())('Control UI scopes behind nginx', () => {
  let stack: BrowserStack;

  beforeAll(async () => {
    stack = await startBrowserStack({ users: { 'sid-alice': ADMIN, 'sid-rita': READER }, gateway: { config: gatewayConfig(true) } });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  async function openAs(sid: string): Promise<OpenPage> {
    const ctx = await stack.signIn(sid);
    const page = await ctx.newPage();
    const problems = await watchProblems(page);
    const sockets: OpenPage['sockets'] = [];
    page.on('websocket', (ws) => {
      const entry = { url: ws.url(), closed: false };
      sockets.push(entry);
      ws.on('close', () => (entry.closed = true));
    });
    const res = await page.goto(`${stack.nginx.url}/`);
    expect(res?.status(), stack.nginx.errorLog()).toBe(200);
    await expect.poll(() => page.locator('.pill').getAttribute('data-state')).toBe('connected');
    return { page, problems, sockets };
  }

  const youCan = (page: Page) => page.locator('.you-can').innerText();
  const auditCard = (page: Page) => page.locator('section[aria-labelledby="sec-h"]');
  const auditNote = (page: Page) => page.locator('section.scope-note[data-for="audit"]');

  it('shows an admin and a read-only user different consoles, and a demotion updates the open page without a reconnect', async () => {
    const alice = await openAs('sid-alice');
    const rita = await openAs('sid-rita');
    try {
      // The admin: every scope, the audit run and listed.
      expect(await youCan(alice.page)).toBe('You can: admin');
      expect(await alice.page.locator('.you-can').getAttribute('data-scopes')).toBe('operator.admin operator.read operator.write');
      expect((await auditShown(alice.page)).checks.length).toBeGreaterThan(0);
      expect(await auditNote(alice.page).count()).toBe(0);
      // The reader: read only; status and presence, a note where the audit would be.
      expect(await youCan(rita.page)).toBe('You can: read');
      await expect.poll(() => rita.page.locator('dd.auth-mode').innerText()).toBe('trusted-proxy');
      await expect.poll(() => rita.page.locator(`ul.people li[data-user="${ADMIN}"]`).count()).toBe(1);
      expect(await auditCard(rita.page).count()).toBe(0);
      expect(await auditNote(rita.page).innerText()).toContain('Needs operator.admin; you have operator.read.');
      // The reader's page never asked for the audit: the gateway logged no refusal for her.
      expect(stack.gateway.logs.filter((l) => l.event === 'scope_missing' && l.user === READER)).toEqual([]);

      // The operator removes alice's rule; the file is reloaded.
      const out = await stack.gateway.rewrite(gatewayConfig(false));
      expect(out).toMatchObject({ status: 'applied', recheck: { closed: 0, updated: 1 } });
      await expect.poll(() => youCan(alice.page)).toBe('You can: read');
      await expect.poll(() => auditCard(alice.page).count()).toBe(0);
      expect(await auditNote(alice.page).innerText()).toContain('Needs operator.admin; you have operator.read.');
      // The same socket throughout: one WebSocket, still open, still connected.
      expect(alice.sockets).toEqual([{ url: `${stack.nginx.url.replace(/^http/, 'ws')}/`, closed: false }]);
      expect(await alice.page.locator('.pill').getAttribute('data-state')).toBe('connected');
      expect(await alice.page.locator('.identity').innerText()).toBe(`Signed in via your proxy as ${ADMIN}`);
      // The reader's page saw nothing change.
      expect(await youCan(rita.page)).toBe('You can: read');
      expect(rita.sockets.map((s) => s.closed)).toEqual([false]);

      expect(await alice.problems.collect()).toEqual([]);
      expect(await rita.problems.collect()).toEqual([]);
    } finally {
      await alice.page.context().close();
      await rita.page.context().close();
      await stack.gateway.rewrite(gatewayConfig(true));
    }
  });

  it('explains a request the gateway refuses with scope_missing, from the reason table, and keeps the session', async () => {
    const rita = await openAs('sid-rita');
    try {
      // A page that still believes it is an admin (as one does for the moment between a demotion
      // and its session.updated event) asks for the audit.
      await rita.page.evaluate(`(async () => {
        const el = document.querySelector('mayros-console');
        el.scopes = ['operator.admin', 'operator.read', 'operator.write'];
        await el.loadAudit();
      })()`);
      const panel = rita.page.locator('section.denied');
      await expect.poll(() => panel.getAttribute('data-reason')).toBe('scope_missing');
      expect(await panel.locator('.detail').innerText()).toBe('security.audit needs operator.admin; you have operator.read');
      expect(await panel.locator('.meaning').innerText()).toBe(REASONS.scope_missing.message);
      expect(await panel.locator('.fix').innerText()).toContain(REASONS.scope_missing.fix);
      expect(await panel.locator('a.docs').getAttribute('href')).toBe('docs/troubleshooting.html#scope_missing');
      expect(await rita.page.locator('.pill').getAttribute('data-state')).toBe('connected');
      expect(rita.sockets.map((s) => s.closed)).toEqual([false]);
      // The docs entry is served through the same proxy.
      const docs = await rita.page.context().newPage();
      const r = await docs.goto(`${stack.nginx.url}/docs/troubleshooting.html#scope_missing`);
      expect(r?.status()).toBe(200);
      expect(await docs.locator('h3:target').innerText()).toBe('scope_missing');
      await panel.locator('button').click();
      await expect.poll(() => panel.count()).toBe(0);
      expect(await rita.problems.collect()).toEqual([]);
    } finally {
      await rita.page.context().close();
    }
  });
});
