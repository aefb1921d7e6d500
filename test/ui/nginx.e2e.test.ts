/**
 * Control UI behind real nginx (examples/proxies/nginx, auth_request to the auth endpoint
 * stand-in) with the gateway CLI in trusted-proxy mode: the page and its WebSocket both go
 * through nginx, the UI shows the proxied identity, and a user outside allowUsers sees
 * trusted_proxy_user_not_allowed explained, never a token field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { REASONS } from '../../src/protocol/reasons.js';
import { IDENTITY_HEADER } from '../support/auth-service.js';
import type { GatewayProcess } from '../support/gateway-process.js';
import { NGINX_RECIPE_DIR } from '../support/nginx.js';
import { USERS, recipeGatewayConfig } from '../proxies/conformance.js';
import { newContext, watchProblems, type PageProblems } from '../support/browser.js';
import { browserStackSuite, startBrowserStack, type BrowserStack } from '../support/browser-stack.js';

describe.runIf(browserStackSuite())('Control UI behind nginx (trusted-proxy mode)', () => {
  let stack: BrowserStack<GatewayProcess>;

  beforeAll(async () => {
    stack = await startBrowserStack({ users: { 'sid-alice': USERS.alice, 'sid-mallory': USERS.mallory }, gateway: { cli: { config: recipeGatewayConfig(NGINX_RECIPE_DIR) } } });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  /** A browser signed in at the proxy as `sid`, with the page opened through nginx. */
  async function openThroughNginx(sid: string, extraHeaders?: Record<string, string>): Promise<{ page: Page; problems: PageProblems; sockets: string[] }> {
    const ctx = await stack.signIn(sid, extraHeaders ? { extraHTTPHeaders: extraHeaders } : {});
    const page = await ctx.newPage();
    const problems = await watchProblems(page);
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    const res = await page.goto(`${stack.nginx.url}/`);
    expect(res?.status(), stack.nginx.errorLog()).toBe(200);
    // The gateway's CSP survives the proxy hop.
    expect(res?.headers()['content-security-policy']).toContain("connect-src 'self'");
    return { page, problems, sockets };
  }

  it('loads the page and upgrades the WebSocket through nginx, and shows the proxied identity', async () => {
    const { page, problems, sockets } = await openThroughNginx('sid-alice');
    await expect.poll(() => page.locator('.pill').getAttribute('data-state')).toBe('connected');
    expect(await page.locator('.identity').innerText()).toBe(`Signed in via your proxy as ${USERS.alice}`);
    expect(sockets[0]).toBe(`${stack.nginx.url.replace(/^http/, 'ws')}/`);
    await expect.poll(() => page.locator('dd.auth-mode').innerText()).toBe('trusted-proxy');
    await expect.poll(() => page.locator(`ul.people li[data-user="${USERS.alice}"]`).count()).toBe(1);
    // In trusted-proxy mode the page never asks for a token.
    expect(await page.locator('input').count()).toBe(0);
    expect(await page.getByText(/forget the token/i).count()).toBe(0);
    expect(await problems.collect()).toEqual([]);
    await page.context().close();
  });

  it('explains trusted_proxy_user_not_allowed to a signed-in user outside allowUsers, even one claiming another identity', async () => {
    // The browser's own identity header must be replaced by nginx with the session's user.
    const { page, problems, sockets } = await openThroughNginx('sid-mallory', { [IDENTITY_HEADER]: USERS.alice });
    const panel = page.locator('section.refused');
    await expect.poll(() => panel.getAttribute('data-reason')).toBe('trusted_proxy_user_not_allowed');
    expect(sockets.length).toBeGreaterThan(0);
    expect(await panel.locator('.meaning').innerText()).toBe(REASONS.trusted_proxy_user_not_allowed.message);
    expect(await panel.locator('.fix').innerText()).toContain(REASONS.trusted_proxy_user_not_allowed.fix);
    // Whose sign-in was refused (the session's user as nginx set it, not the forged header), and
    // what the person can do: not operator advice alone.
    expect(await panel.locator('.signed-in-as').innerText()).toBe(`Your proxy signed you in as ${USERS.mallory}, and the gateway refused that sign-in.`);
    expect(await panel.locator('.person-hint').innerText()).toMatch(/^Signed in with the wrong account\? Sign out at your sign-in page/);
    expect(await panel.locator('.fix .label').innerText()).toBe('For whoever runs the gateway:');
    expect(await panel.locator('a.docs').getAttribute('href')).toBe('docs/troubleshooting.html#trusted_proxy_user_not_allowed');
    expect(await page.locator('input').count()).toBe(0);
    expect(await page.locator('.identity').count()).toBe(0);

    // The docs entry is served by the gateway through the same proxy.
    const docs = await page.context().newPage();
    const r = await docs.goto(`${stack.nginx.url}/docs/troubleshooting.html#trusted_proxy_user_not_allowed`);
    expect(r?.status()).toBe(200);
    expect(await docs.locator('h3:target').innerText()).toBe('trusted_proxy_user_not_allowed');
    expect(await problems.collect()).toEqual([]);
    await page.context().close();
  });

  it('does not serve the page to someone not signed in at the proxy', async () => {
    const ctx = await newContext(stack.browser);
    const page = await ctx.newPage();
    const statuses: number[] = [];
    page.on('response', (r) => {
      if (r.request().isNavigationRequest()) statuses.push(r.status());
    });
    // The sign-in stand-in answers 401 with an empty body, which Chromium turns into a navigation
    // error (its own error page); the status is what matters.
    await page.goto(`${stack.nginx.url}/`).catch(() => undefined);
    expect(statuses).toEqual([401]);
    expect(await page.locator('mayros-console').count()).toBe(0);
    await ctx.close();
  });
});
