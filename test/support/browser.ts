/**
 * Debian's Chromium driven by playwright-core. Suites run under `describe.runIf(chromiumSuite())`:
 * a missing browser skips locally but FAILS under CI=true, so CI never passes by skipping.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';
import { IN_CI } from './processes.js';

export const CHROMIUM = '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** True when the suite should run; under CI a missing browser still runs (and fails in launch). */
export function chromiumSuite(): boolean {
  return existsSync(CHROMIUM) || IN_CI;
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install it with "apt-get install chromium" (CI=true never skips browser suites)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 30_000 });
}

/** What went wrong on a page: console errors, uncaught exceptions, CSP violations. */
export interface PageProblems {
  /** Everything seen so far; the tests expect an empty list. */
  collect(): Promise<string[]>;
}

/**
 * Watches `page` for problems. CSP violations are caught by a listener installed before any
 * page script runs, so a blocked style or script fails the test even if Chromium logs nothing.
 */
export async function watchProblems(page: Page, ignore: RegExp[] = []): Promise<PageProblems> {
  const list: string[] = [];
  const keep = (text: string) => {
    if (!ignore.some((r) => r.test(text))) list.push(text);
  };
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') keep(`console: ${m.text()}`);
  });
  page.on('pageerror', (err) => keep(`pageerror: ${err.message}`));
  // A string, not a function: the test tsconfig has no DOM types, and this runs in the page.
  await page.addInitScript(`
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push('csp: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' (' + e.sourceFile + ':' + e.lineNumber + ')');
    });
  `);
  return {
    async collect() {
      const csp = page.isClosed()
        ? []
        : await page.evaluate<string[]>(`window.__cspViolations ?? ['csp: watcher missing']`);
      return [...list, ...csp];
    },
  };
}

/** A fresh context (own cookies and storage) with a default timeout suited to a slow CI box. */
export async function newContext(browser: Browser, options: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> {
  const ctx = await browser.newContext(options);
  ctx.setDefaultTimeout(15_000);
  return ctx;
}
