/**
 * Makes docs/images/control-ui.png: the console signed in through an identity proxy, with a
 * second browser user and a CLI session connected. Not part of `npm test`; run
 * `npm run ui:screenshot` after changing the UI. MAYROS_SHOTS_DIR adds 360 px and dark variants there.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, newContext } from '../support/browser.js';
import { startTestGateway, type TestGateway } from '../support/gateway-inproc.js';
import { startIdentityProxy, type IdentityProxy } from '../support/identity-proxy.js';
import { wsClient, type WsClient } from '../support/ws-client.js';

const OUT = fileURLToPath(new URL('../../docs/images/control-ui.png', import.meta.url));
const USERS = { 'sid-nick': 'nick@example.com', 'sid-ada': 'ada@example.com', 'sid-ops': 'ops-bot@example.com' };

let gateway: TestGateway;
let proxy: IdentityProxy;
let browser: Browser;
let cli: WsClient;

beforeAll(async () => {
  gateway = await startTestGateway({
    trustedProxies: ['127.0.0.1'],
    auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user', allowUsers: Object.values(USERS) } },
    // Nick, in the picture, runs the gateway: his console shows everything, the audit included.
    authorization: { rules: [{ users: [USERS['sid-nick']], scopes: ['operator.admin'] }] },
  });
  proxy = await startIdentityProxy({ gatewayPort: gateway.gw.port, users: USERS });
  browser = await launchChromium();
});

afterAll(async () => {
  cli?.close();
  await browser?.close();
  await proxy?.stop();
  await gateway?.stop();
});

async function open(sid: string, opts: Parameters<Browser['newContext']>[0] = {}): Promise<Page> {
  const ctx = await newContext(browser, opts);
  await ctx.addCookies([{ name: 'mayros_test_session', value: sid, url: proxy.url }]);
  const page = await ctx.newPage();
  await page.goto(`${proxy.url}/`);
  await expect.poll(() => page.locator('.pill').getAttribute('data-state')).toBe('connected');
  return page;
}

it('captures the connected console', async () => {
  const ada = await open('sid-ada');
  // A CLI session beside the browsers, named as the real CLI names itself.
  cli = wsClient(`${proxy.url.replace('http', 'ws')}/`, { connect: false, headers: { cookie: 'mayros_test_session=sid-ops' } });
  await cli.opened;
  cli.send({ type: 'req', id: '1', method: 'connect', params: { protocol: 1, client: { name: 'mayros-cli', version: '0.1.0' } } });
  const shots: Array<[string, Parameters<Browser['newContext']>[0]]> = [['control-ui.png', { viewport: { width: 1200, height: 940 } }]];
  const extra = process.env.MAYROS_SHOTS_DIR;
  if (extra) {
    shots.push(['mobile-light.png', { viewport: { width: 360, height: 800 } }], ['mobile-dark.png', { viewport: { width: 360, height: 800 }, colorScheme: 'dark' }], ['desktop-dark.png', { viewport: { width: 1200, height: 860 }, colorScheme: 'dark' }]);
  }
  for (const [name, opts] of shots) {
    const page = await open('sid-nick', { colorScheme: 'light', ...opts });
    await expect.poll(() => page.locator('ul.people li').count()).toBe(3);
    await page.locator('body').click({ position: { x: 1, y: 1 } });
    const file = name === 'control-ui.png' ? OUT : join(extra!, name);
    mkdirSync(join(file, '..'), { recursive: true });
    await page.screenshot({ path: file, fullPage: name !== 'control-ui.png' });
    await page.context().close();
  }
  if (extra) {
    const ctx = await newContext(browser, { viewport: { width: 1200, height: 700 } });
    const page = await ctx.newPage();
    await page.goto(`${gateway.url}/`);
    await expect.poll(() => page.locator('.pill').getAttribute('data-state')).toBe('refused');
    await page.screenshot({ path: join(extra, 'refused.png') });
    await ctx.close();
  }
  await ada.context().close();
});
