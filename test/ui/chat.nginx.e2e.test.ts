/**
 * The chat view in Chromium behind real nginx (examples/proxies/nginx, auth_request to the auth
 * endpoint stand-in), the gateway in trusted-proxy mode, answers from the loopback OpenAI stub:
 * two people in two browser contexts each see only their own sessions; a second tab of the same
 * person sees an answer stream in live; Stop aborts the run (the model server's request is
 * closed); a person with operator.read only sees their history and no composer; an admin switches
 * to everyone's sessions, sees another person's with its owner and reads it with no composer, a
 * non-admin is offered no switch, and a demotion takes the switch away and returns to own sessions;
 * a list longer than a page shows its first page and Show older sessions loads the rest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { watchProblems, type PageProblems } from '../support/browser.js';
import { browserStackSuite, startBrowserStack, type BrowserStack } from '../support/browser-stack.js';
import type { TestGateway } from '../support/gateway-inproc.js';
import { NGINX_RECIPE_DIR } from '../support/nginx.js';
import { gate, type OpenAIStub } from '../support/openai-stub.js';
import { recipeGatewayConfig } from '../proxies/conformance.js';

const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';
const RITA = 'rita@example.com';
const ADA = 'ada@example.com';

/** Everyone reads; alice and bob write (and rita too, when `ritaWrites`); ada is an admin (unless `adaAdmin` is false). */
function gatewayConfig(ritaWrites = false, adaAdmin = true): Record<string, unknown> {
  const { gateway } = recipeGatewayConfig(NGINX_RECIPE_DIR);
  gateway.port = 0;
  gateway.auth.trustedProxy.allowUsers = [ALICE, BOB, RITA, ADA];
  gateway.authorization = {
    defaultScopes: ['operator.read'],
    rules: [{ users: ritaWrites ? [ALICE, BOB, RITA] : [ALICE, BOB], scopes: ['operator.write'] }, ...(adaAdmin ? [{ users: [ADA], scopes: ['operator.admin'] }] : [])],
  };
  return gateway;
}

interface ChatPage {
  page: Page;
  problems: PageProblems;
}

const chat = (page: Page) => page.locator('mayros-chat');
const sessionKeys = (page: Page) => chat(page).locator('nav.sessions li').evaluateAll((els) => els.map((e) => e.getAttribute('data-key') ?? ''));
const lastAnswer = (page: Page) => chat(page).locator('li.msg.assistant').last();

describe.runIf(browserStackSuite())('Control UI chat behind nginx', () => {
  let stack: BrowserStack<TestGateway, OpenAIStub>;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    stack = await startBrowserStack({
      users: { 'sid-alice': ALICE, 'sid-bob': BOB, 'sid-rita': RITA, 'sid-ada': ADA },
      openai: { fallback: { kind: 'stream', chunks: ['Fine, ', 'thanks.'] } },
      gateway: { config: gatewayConfig() },
    });
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await stack?.stop();
  });

  /** A browser context signed in at the proxy as `sid` (one per person; tabs share it). */
  async function signIn(sid: string): Promise<BrowserContext> {
    const ctx = await stack.signIn(sid);
    contexts.push(ctx);
    return ctx;
  }

  /** A tab on the chat view, loaded (sessions listed, the newest in view). */
  async function openChat(ctx: BrowserContext): Promise<ChatPage> {
    const page = await ctx.newPage();
    const problems = await watchProblems(page);
    const res = await page.goto(`${stack.nginx.url}/#chat`);
    expect(res?.status(), stack.nginx.errorLog()).toBe(200);
    await expect.poll(() => page.locator('.pill').getAttribute('data-state')).toBe('connected');
    await expect.poll(() => chat(page).locator('.chat').getAttribute('data-loaded')).toBe('true');
    return { page, problems };
  }

  async function send(page: Page, text: string): Promise<void> {
    const field = chat(page).locator('textarea.composer');
    await field.fill(text);
    await field.press('Enter');
  }

  it('shows two people only their own sessions', async () => {
    const alice = await openChat(await signIn('sid-alice'));
    await send(alice.page, 'alice asks');
    await expect.poll(() => lastAnswer(alice.page).getAttribute('data-state')).toBe('complete');
    const aliceKeys = await sessionKeys(alice.page);
    expect(aliceKeys).toHaveLength(1);

    const bob = await openChat(await signIn('sid-bob'));
    expect(await sessionKeys(bob.page)).toEqual([]);
    expect(await chat(bob.page).locator('li.msg').count()).toBe(0);
    await send(bob.page, 'bob asks');
    await expect.poll(() => lastAnswer(bob.page).getAttribute('data-state')).toBe('complete');
    const bobKeys = await sessionKeys(bob.page);
    expect(bobKeys).toHaveLength(1);
    expect(bobKeys[0]).not.toBe(aliceKeys[0]);
    expect(await chat(bob.page).locator('li.msg.user .bubble').allInnerTexts()).toEqual(['bob asks']);

    // Alice's open page got nothing of bob's (no event, no session); a reload lists hers alone.
    expect(await sessionKeys(alice.page)).toEqual(aliceKeys);
    expect(await chat(alice.page).locator('li.msg.user .bubble').allInnerTexts()).toEqual(['alice asks']);
    await alice.page.reload();
    await expect.poll(() => chat(alice.page).locator('.chat').getAttribute('data-loaded')).toBe('true');
    expect(await sessionKeys(alice.page)).toEqual(aliceKeys);
    expect(await chat(alice.page).locator('li.msg.user .bubble').allInnerTexts()).toEqual(['alice asks']);
    expect(await alice.problems.collect()).toEqual([]);
    expect(await bob.problems.collect()).toEqual([]);
    await alice.page.close();
    await bob.page.close();
  });

  it('shows a second tab of the same person the answer as it streams, and Stop aborts the run', async () => {
    const ctx = await signIn('sid-alice');
    const one = await openChat(ctx);
    const two = await openChat(ctx);
    // Both tabs show the same (newest) session.
    const key = await chat(one.page).locator('.chat').getAttribute('data-session');
    expect(key).toBeTruthy();
    expect(await chat(two.page).locator('.chat').getAttribute('data-session')).toBe(key);

    // The end of the answer waits until the other tab has been seen showing it half written.
    const rest = gate();
    stack.stub.script({ kind: 'stream', chunks: ['one', { text: ' two', delayMs: 200 }, { text: ' three', after: rest.opened }] });
    await send(one.page, 'count for me');
    // The other tab shows the message and the answer so far, while it is still being written.
    await expect.poll(() => lastAnswer(two.page).locator('.answer').innerText()).toBe('one two');
    expect(await lastAnswer(two.page).getAttribute('data-state')).toBe('streaming');
    await expect.poll(() => chat(two.page).locator('li.msg.user .bubble').last().innerText()).toBe('count for me');
    rest.open();
    await expect.poll(() => lastAnswer(two.page).getAttribute('data-state'), { timeout: 10_000 }).toBe('complete');
    expect(await lastAnswer(two.page).locator('.answer').innerText()).toBe('one two three');

    // Stop: a model that writes a little and then goes quiet.
    const asked = stack.stub.requests.length;
    stack.stub.script({ kind: 'stream', chunks: ['partial answer'], end: 'stall' });
    await send(two.page, 'say a lot');
    await expect.poll(() => lastAnswer(one.page).locator('.answer').innerText()).toBe('partial answer');
    await stack.stub.waitForRequests(asked + 1);
    const request = stack.stub.requests[asked]!;
    await chat(two.page).locator('button.stop').click();
    for (const tab of [one, two]) {
      await expect.poll(() => lastAnswer(tab.page).getAttribute('data-state')).toBe('aborted');
      expect(await lastAnswer(tab.page).locator('.answer').innerText()).toBe('partial answer');
      await expect.poll(() => chat(tab.page).locator('button.send').count()).toBe(1);
    }
    // The gateway hung up on the model server: the run is really over.
    await request.closed;
    expect(request.clientClosed).toBe(true);
    expect(await one.problems.collect()).toEqual([]);
    expect(await two.problems.collect()).toEqual([]);
  });

  it('shows a person with operator.read only their history and no composer', async () => {
    await stack.gateway.rewrite(gatewayConfig(true));
    try {
      const ctx = await signIn('sid-rita');
      const rita = await openChat(ctx);
      await send(rita.page, 'rita asks');
      await expect.poll(() => lastAnswer(rita.page).getAttribute('data-state')).toBe('complete');

      // The operator takes write away: the open page drops the composer at once, the history stays.
      await stack.gateway.rewrite(gatewayConfig(false));
      await expect.poll(() => chat(rita.page).locator('textarea.composer').count()).toBe(0);
      expect(await chat(rita.page).locator('.read-only').innerText()).toContain('Sending needs operator.write');
      const fresh = await openChat(ctx);
      expect(await chat(fresh.page).locator('li.msg.user .bubble').allInnerTexts()).toEqual(['rita asks']);
      expect(await lastAnswer(fresh.page).locator('.answer').innerText()).toBe('Fine, thanks.');
      expect(await chat(fresh.page).locator('textarea.composer, button.new-session, button.delete-session, button.rename-session').count()).toBe(0);
      expect(await rita.problems.collect()).toEqual([]);
      expect(await fresh.problems.collect()).toEqual([]);
    } finally {
      await stack.gateway.rewrite(gatewayConfig(false));
    }
  });
  it("lets an admin read everyone's sessions with their owners, never send into another's; no switch for others; a demotion takes it away", async () => {
    const everyone = (page: Page) => chat(page).locator('input.everyone-switch');
    // Alice chats in a session of her own.
    const alice = await openChat(await signIn('sid-alice'));
    await chat(alice.page).locator('button.new-session').click();
    // The new session is empty; the key is read once the message is in it (the page may still
    // show the previous session's key for a moment after the click).
    await expect.poll(() => chat(alice.page).locator('li.msg').count()).toBe(0);
    await send(alice.page, 'alice plans a trip');
    await expect.poll(() => lastAnswer(alice.page).getAttribute('data-state')).toBe('complete');
    expect(await chat(alice.page).locator('li.msg.user .bubble').allInnerTexts()).toEqual(['alice plans a trip']);
    const aliceKey = (await chat(alice.page).locator('.chat').getAttribute('data-session'))!;
    expect(aliceKey).toBeTruthy();
    expect(await chat(alice.page).locator('li.msg.user .author').last().innerText()).toBe('You');
    // A non-admin is offered no switch.
    expect(await everyone(alice.page).count()).toBe(0);
    const rita = await openChat(await signIn('sid-rita'));
    expect(await everyone(rita.page).count()).toBe(0);

    // Ada, an admin, lists her own sessions (none) until she switches to everyone's.
    const ada = await openChat(await signIn('sid-ada'));
    expect(await sessionKeys(ada.page)).toEqual([]);
    await everyone(ada.page).check();
    await expect.poll(() => chat(ada.page).locator('.chat').getAttribute('data-listing')).toBe('everyone');
    const item = chat(ada.page).locator(`nav.sessions li[data-key="${aliceKey}"]`);
    await expect.poll(() => item.count()).toBe(1);
    expect(await item.getAttribute('data-owner')).toBe(`trusted-proxy:${ALICE}`);
    expect(await item.locator('.owner').innerText()).toBe(ALICE);
    // Nobody's session but her own gets rename or delete.
    expect(await item.locator('button.rename-session, button.delete-session').count()).toBe(0);

    // Opening it shows the transcript, read-only: no composer, no Send, no Stop, and a line saying why.
    await item.locator('button.session').click();
    await expect.poll(() => chat(ada.page).locator('.chat').getAttribute('data-session')).toBe(aliceKey);
    await expect.poll(() => chat(ada.page).locator('li.msg.user .bubble').allInnerTexts()).toEqual(['alice plans a trip']);
    expect(await lastAnswer(ada.page).locator('.answer').innerText()).toBe('Fine, thanks.');
    expect(await chat(ada.page).locator('li.msg.user .author').innerText()).toBe(ALICE);
    expect(await chat(ada.page).locator('textarea.composer, button.send, button.stop').count()).toBe(0);
    const note = chat(ada.page).locator('.read-only.others');
    expect(await note.getAttribute('data-owner')).toBe(`trusted-proxy:${ALICE}`);
    expect(await note.innerText()).toContain(`You are reading ${ALICE}'s session.`);
    expect(await note.innerText()).toContain("Admins can read everyone's sessions but never send into another person's.");
    // New chat is still hers to start (a session of her own).
    expect(await chat(ada.page).locator('button.new-session').count()).toBe(1);
    // The gateway stays the authority: a page that sends anyway is answered as if the session did not exist.
    const forced = await ada.page.evaluate(`document.querySelector('mayros-console').client.request('chat.send', { sessionKey: ${JSON.stringify(aliceKey)}, message: 'from ada', idempotencyKey: 'ada-forced-1' })`);
    expect(forced).toMatchObject({ ok: false, error: { reason: 'session_not_found' } });

    // The operator takes operator.admin away: the switch goes, the list is her own again, alice's transcript leaves the screen.
    await stack.gateway.rewrite(gatewayConfig(false, false));
    try {
      await expect.poll(() => everyone(ada.page).count()).toBe(0);
      await expect.poll(() => chat(ada.page).locator('.chat').getAttribute('data-listing')).toBe('own');
      await expect.poll(() => sessionKeys(ada.page)).toEqual([]);
      expect(await chat(ada.page).locator('.chat').getAttribute('data-session')).toBe('');
      expect(await chat(ada.page).locator('li.msg').count()).toBe(0);
      // Alice's session is untouched.
      expect(await chat(alice.page).locator('li.msg.user .bubble').allInnerTexts()).toEqual(['alice plans a trip']);
      for (const p of [alice, rita, ada]) expect(await p.problems.collect()).toEqual([]);
    } finally {
      await stack.gateway.rewrite(gatewayConfig(false));
    }
  });

  it('lists the newest page of sessions and Show older sessions loads the rest', async () => {
    // More sessions than a page (100), older than any alice has had: put straight into the gateway's database.
    const database = stack.gateway.gw.ctx.database;
    if (database.state !== 'open') throw new Error(`the chat database is ${database.state}`);
    const insert = database.db.prepare(`INSERT INTO sessions (key, owner, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`);
    for (let i = 0; i < 103; i++) insert.run(`old-${String(i).padStart(3, '0')}`, `trusted-proxy:${ALICE}`, `old ${i}`, i + 1, i + 1);
    const total = (database.db.prepare('SELECT count(*) AS n FROM sessions WHERE owner = ?').get(`trusted-proxy:${ALICE}`) as { n: number }).n;
    const alice = await openChat(await signIn('sid-alice'));
    const older = chat(alice.page).locator('button.older-sessions');
    expect(await sessionKeys(alice.page)).toHaveLength(100);
    expect(await older.innerText()).toBe('Show older sessions');
    await older.click();
    await expect.poll(() => sessionKeys(alice.page).then((k) => k.length)).toBe(total);
    expect((await sessionKeys(alice.page)).at(-1)).toBe('old-000');
    expect(await older.count()).toBe(0);
    expect(await alice.problems.collect()).toEqual([]);
    await alice.page.close();
  });
});
