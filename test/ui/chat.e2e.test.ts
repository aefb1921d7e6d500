/**
 * The Control UI's chat view in Chromium, opened directly (token mode), answered by the loopback
 * OpenAI-compatible stub: a model answer carrying `<img onerror>` and `<script>` runs nothing and
 * the page reports no CSP violation; Markdown code blocks render; Enter sends and Shift+Enter
 * makes a new line; the answer streams in; at 360 px in dark mode nothing is wider than the screen;
 * an answer that fails and a refused send are explained from the reason table; sessions are created, renamed and
 * deleted; with no `models` section the view says so and shows the config to add.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { REASONS } from '../../src/protocol/reasons.js';
import { chromiumSuite, launchChromium, newContext, watchProblems, type PageProblems } from '../support/browser.js';
import { startTestGateway, type TestGateway } from '../support/gateway-inproc.js';
import { gate, startOpenAIStub, type OpenAIStub } from '../support/openai-stub.js';

const TOKEN = 'ui-chat-test-token-8c1d2e';
const GATEWAY = { auth: { mode: 'token', token: TOKEN } };
const models = (stub: OpenAIStub) => ({ models: { providers: { stub: { baseUrl: stub.baseUrl, models: ['stub-model'] } }, default: 'stub/stub-model' } });

const chat = (page: Page) => page.locator('mayros-chat');
/** The answer of the last message in view. */
const lastAnswer = (page: Page) => chat(page).locator('li.msg.assistant').last();

describe.runIf(chromiumSuite())('Control UI chat view, direct', () => {
  let stub: OpenAIStub;
  let gateway: TestGateway;
  let browser: Browser;

  beforeAll(async () => {
    stub = await startOpenAIStub();
    stub.fallback = { kind: 'stream', chunks: ['ok'] };
    gateway = await startTestGateway(GATEWAY, { sections: models(stub) });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await stub?.close();
  });

  async function openChat(options: Parameters<typeof newContext>[1] = {}): Promise<{ ctx: BrowserContext; page: Page; problems: PageProblems }> {
    const ctx = await newContext(browser, options);
    const page = await ctx.newPage();
    const problems = await watchProblems(page);
    await page.goto(`${gateway.url}/#token=${TOKEN}`);
    await expect.poll(() => page.locator('.pill').getAttribute('data-state')).toBe('connected');
    await page.locator('nav.tabs a[href="#chat"]').click();
    await expect.poll(() => chat(page).locator('.chat').getAttribute('data-loaded')).toBe('true');
    return { ctx, page, problems };
  }

  async function send(page: Page, text: string): Promise<void> {
    const field = page.locator('mayros-chat textarea.composer');
    await field.fill(text);
    await field.press('Enter');
  }

  it('renders a model answer as Markdown and runs none of the HTML in it, with no CSP violation', async () => {
    const { ctx, page, problems } = await openChat();
    try {
      stub.script({
        kind: 'stream',
        chunkDelayMs: 20,
        chunks: [
          'Look: <img src=x onerror="window.__pwned = \'img\'"> and ',
          '<script>window.__pwned = \'script\'</script>\n\n',
          '<a href="javascript:window.__pwned=\'link\'">click</a> [also](javascript:window.__pwned=1) ',
          '![pixel](https://tracker.example/p.png?q=secret)\n\n',
          '```js\nconst x = "<b>bold?</b>";\n```\n',
          '**done**',
        ],
      });
      const before = stub.requests.length;
      await send(page, 'show me html');
      const answer = lastAnswer(page);
      await expect.poll(() => answer.getAttribute('data-state')).toBe('complete');
      expect(stub.requests.length).toBe(before + 1);

      // Nothing ran: no handler, no script, no javascript: link.
      expect(await answer.locator('a', { hasText: 'click' }).count()).toBe(0);
      expect(await page.evaluate('window.__pwned')).toBeUndefined();
      const bubble = answer.locator('.answer');
      // The HTML the model wrote is shown as text, not as elements.
      expect(await bubble.locator('img, script, iframe, [onerror], [style]').count()).toBe(0);
      const text = await bubble.innerText();
      expect(text).toContain('<img src=x onerror="window.__pwned = \'img\'">');
      expect(text).toContain("<script>window.__pwned = 'script'</script>");
      // Markdown is rendered: a code block with its language, strong text; the image is a link, never loaded.
      expect(await bubble.locator('pre code.language-js').innerText()).toBe('const x = "<b>bold?</b>";\n');
      expect(await bubble.locator('strong').innerText()).toBe('done');
      const pixel = bubble.locator('a', { hasText: 'image: pixel' });
      expect(await pixel.getAttribute('href')).toBe('https://tracker.example/p.png?q=secret');
      expect(await pixel.getAttribute('rel')).toBe('noopener noreferrer nofollow');
      expect(await bubble.locator('a[href^="javascript:"]').count()).toBe(0);
      // The model named in the answer, and the message as the model received it.
      expect(await answer.locator('.model').innerText()).toBe('stub/stub-model');
      expect(stub.requests.at(-1)?.messages.at(-1)).toEqual({ role: 'user', content: 'show me html' });
      expect(await problems.collect()).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  it('sends on Enter, makes a new line on Shift+Enter, and streams the answer in as it arrives', async () => {
    const { ctx, page, problems } = await openChat();
    try {
      // The rest of the answer waits until the test has seen the part on screen.
      const rest = gate();
      stub.script({ kind: 'stream', chunks: ['First', { text: ' part', delayMs: 50 }, { text: ' and the rest.', after: rest.opened }] });
      const field = page.locator('mayros-chat textarea.composer');
      await field.click();
      await field.pressSequentially('line one');
      await field.press('Shift+Enter');
      await field.pressSequentially('line two');
      expect(await field.inputValue()).toBe('line one\nline two');
      await field.press('Enter');
      expect(await field.inputValue()).toBe('');
      const mine = page.locator('mayros-chat li.msg.user').last();
      expect(await mine.locator('.bubble').innerText()).toBe('line one\nline two');
      // Part of the answer is on screen while the model is still writing, with Stop offered.
      const answer = lastAnswer(page);
      await expect.poll(() => answer.locator('.answer').innerText()).toBe('First part');
      expect(await answer.getAttribute('data-state')).toBe('streaming');
      expect(await page.locator('mayros-chat button.stop').count()).toBe(1);
      rest.open();
      await expect.poll(() => answer.getAttribute('data-state'), { timeout: 10_000 }).toBe('complete');
      expect(await answer.locator('.answer').innerText()).toBe('First part and the rest.');
      expect(await page.locator('mayros-chat button.send').count()).toBe(1);
      expect(stub.requests.at(-1)?.messages.at(-1)).toEqual({ role: 'user', content: 'line one\nline two' });
      expect(await problems.collect()).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  it('fits a 360 px screen in dark mode: nothing wider than the screen, dark colours', async () => {
    const { ctx, page, problems } = await openChat({ viewport: { width: 360, height: 740 }, colorScheme: 'dark' });
    try {
      stub.script({ kind: 'stream', chunks: ['A long line of code:\n\n```\n' + 'x'.repeat(300) + '\n```\n\n| a | b | c | d | e | f |\n|---|---|---|---|---|---|\n| ' + 'wide '.repeat(6).split(' ').join(' | ') + '|\n\n' + 'y'.repeat(200)] });
      await send(page, 'a'.repeat(200));
      await expect.poll(() => lastAnswer(page).getAttribute('data-state')).toBe('complete');
      const widths = await page.evaluate<{ doc: number; body: number; view: number }>(`({ doc: document.documentElement.scrollWidth, body: document.body.scrollWidth, view: window.innerWidth })`);
      expect(widths.view).toBe(360);
      expect(widths.doc).toBeLessThanOrEqual(360);
      expect(widths.body).toBeLessThanOrEqual(360);
      // Every part of the view inside the screen (shadow DOM included).
      const outside = await page.evaluate<string[]>(`(() => {
        const chat = document.querySelector('mayros-console').shadowRoot.querySelector('mayros-chat').shadowRoot;
        return [...chat.querySelectorAll('nav.sessions, .transcript, li.msg, .bubble, form.composer-form, textarea, button')]
          .filter((el) => { const r = el.getBoundingClientRect(); return r.right > 360.5 || r.left < -0.5; })
          .map((el) => el.tagName + '.' + el.className)
          // The transcript scrolls up and down only: a code block or table scrolls inside its own box.
          .concat([...chat.querySelectorAll('.transcript')].filter((el) => el.scrollWidth > el.clientWidth).map(() => 'transcript scrolls sideways'));
      })()`);
      expect(outside).toEqual([]);
      // Dark mode: the page and an answer's bubble take the dark palette.
      expect(await page.evaluate(`getComputedStyle(document.body).backgroundColor`)).toBe('rgb(13, 17, 23)');
      expect(await lastAnswer(page).locator('.bubble').evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor)).toBe('rgb(22, 27, 34)');
      expect(await problems.collect()).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  it('explains an answer that failed from the reason table, keeping the message', async () => {
    const { ctx, page, problems } = await openChat();
    try {
      stub.script({ kind: 'status', status: 401, body: { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' } } });
      await send(page, 'are you there?');
      const answer = lastAnswer(page);
      await expect.poll(() => answer.getAttribute('data-state')).toBe('error');
      const why = answer.locator('.end-reason');
      expect(await why.getAttribute('data-reason')).toBe('provider_auth_failed');
      expect(await why.locator('.meaning').innerText()).toBe(REASONS.provider_auth_failed.message);
      expect(await why.locator('.fix').innerText()).toBe(`What to change: ${REASONS.provider_auth_failed.fix}`);
      expect(await why.locator('a.docs').getAttribute('href')).toBe('docs/troubleshooting.html#provider_auth_failed');
      expect(await chat(page).locator('li.msg.user .bubble').last().innerText()).toBe('are you there?');
      // Sending again works: the failure ended the run.
      expect(await chat(page).locator('button.send').count()).toBe(1);
      expect(await problems.collect()).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  it('creates, renames and deletes sessions', async () => {
    const { ctx, page, problems } = await openChat();
    try {
      const items = chat(page).locator('nav.sessions li');
      const before = await items.count();
      await chat(page).locator('button.new-session').click();
      await expect.poll(() => items.count()).toBe(before + 1);
      const key = await chat(page).locator('.chat').getAttribute('data-session');
      const item = chat(page).locator(`nav.sessions li[data-key="${key}"]`);
      expect(await item.getAttribute('aria-current')).toBe('true');
      expect(await item.locator('button.session').innerText()).toBe('New chat');

      await item.locator('button.rename-session').click();
      await item.locator('input.rename').fill('Travel plans');
      await item.locator('input.rename').press('Enter');
      await expect.poll(() => item.locator('button.session').innerText()).toBe('Travel plans');
      await page.reload();
      await expect.poll(() => chat(page).locator('.chat').getAttribute('data-loaded')).toBe('true');
      expect(await item.locator('button.session').innerText()).toBe('Travel plans');

      page.once('dialog', (d) => void d.accept());
      await item.locator('button.delete-session').click();
      await expect.poll(() => item.count()).toBe(0);
      await page.reload();
      await expect.poll(() => chat(page).locator('.chat').getAttribute('data-loaded')).toBe('true');
      expect(await items.count()).toBe(before);
      expect(await item.count()).toBe(0);
      expect(await problems.collect()).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  it('explains a refused send from the reason table and gives the message back to the composer', async () => {
    await gateway.rewrite(GATEWAY, { ...models(stub), chat: { sendsPerMinute: 1 } });
    const { ctx, page, problems } = await openChat();
    try {
      const field = chat(page).locator('textarea.composer');
      const panel = chat(page).locator('section.denied');
      // One send a minute: the earlier tests' sends used it up, or this one does.
      for (const text of ['first try', 'second try']) {
        await send(page, text);
        await expect.poll(async () => (await panel.count()) > 0 || (await lastAnswer(page).getAttribute('data-state')) === 'complete').toBe(true);
        if (await panel.count()) break;
      }
      expect(await panel.getAttribute('data-reason')).toBe('chat_rate_limited');
      expect(await panel.locator('.meaning').innerText()).toBe(REASONS.chat_rate_limited.message);
      expect(await panel.locator('.fix').innerText()).toBe(`What to change: ${REASONS.chat_rate_limited.fix}`);
      expect(await panel.locator('a.docs').getAttribute('href')).toBe('docs/troubleshooting.html#chat_rate_limited');
      // Nothing lost: the refused message is back in the composer, not in the transcript.
      expect(await field.inputValue()).toMatch(/^(first|second) try$/);
      expect(await chat(page).locator('li.msg.user[data-state="sending"], li.msg.user[data-state="error"]').count()).toBe(0);
      await panel.locator('button').click();
      expect(await panel.count()).toBe(0);
      // Chromium logs nothing for a refused request: the page handled it.
      expect(await problems.collect()).toEqual([]);
    } finally {
      await ctx.close();
      await gateway.rewrite(GATEWAY, models(stub));
    }
  });

  it('with no models section says so plainly and shows the config to add', async () => {
    await gateway.rewrite(GATEWAY, {});
    try {
      const { ctx, page, problems } = await openChat();
      try {
        const setup = page.locator('mayros-chat section.setup');
        await expect.poll(() => setup.count()).toBe(1);
        expect(await setup.locator('h2').innerText()).toBe('No model server is configured');
        const snippet = await setup.locator('pre.snippet').innerText();
        expect(snippet).toContain('baseUrl: "http://127.0.0.1:11434/v1"');
        expect(snippet).toContain('default: "local/llama3.2"');
        expect(await page.locator('mayros-chat .model-in-use').count()).toBe(0);
        expect(await problems.collect()).toEqual([]);
      } finally {
        await ctx.close();
      }
    } finally {
      await gateway.rewrite(GATEWAY, models(stub));
    }
  });
});
