/** Reading the Control UI's cards from a page, for assertions. */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

export interface AuditShown {
  summary: { critical: number; warn: number; info: number };
  checks: string[];
}

/** The audit summary chips and the check ids listed, once the audit card has loaded. */
export async function auditShown(page: Page): Promise<AuditShown> {
  const card = page.locator('section[aria-labelledby="sec-h"]');
  await expect.poll(() => card.locator('.chip[data-severity]').count()).toBe(3);
  const count = async (s: string) => Number.parseInt(await card.locator(`.chip[data-severity="${s}"]`).innerText(), 10);
  return {
    summary: { critical: await count('critical'), warn: await count('warn'), info: await count('info') },
    checks: await card.locator('ul.findings li').evaluateAll((els) => els.map((e) => e.getAttribute('data-check') ?? '')),
  };
}
