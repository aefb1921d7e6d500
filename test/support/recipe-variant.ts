/**
 * Recipe variants for the proxy suites: a recipe's templates copied to a temp dir with one part
 * cut out, to show what that part is for (the suite fails if the part is not found), and the
 * `--deep` expectation for a proxy that asks for sign-in on /healthz.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { probeGateway } from '../../src/security/probe.js';
import { makeTempDir, removeTempDir } from './tmp.js';

export interface RecipeVariant {
  dir: string;
  remove(): void;
}

/** `template` from `recipeDir` without the text `cut` matches; `others` copied unchanged. */
export function recipeVariant(recipeDir: string, template: string, cut: RegExp, others: readonly string[] = []): RecipeVariant {
  const text = readFileSync(join(recipeDir, template), 'utf8');
  expect(cut.test(text), `${template} no longer has the part this variant removes (${cut})`).toBe(true);
  const dir = makeTempDir('variant');
  writeFileSync(join(dir, template), text.replace(cut, '\n'));
  for (const f of others) copyFileSync(join(recipeDir, f), join(dir, f));
  return { dir, remove: () => removeTempDir(dir) };
}

/** `--deep` at `url`, a proxy that protects /healthz: one finding, saying it reached a proxy asking for sign-in. */
export async function expectDeepSeesProxySignIn(url: string, statuses: readonly number[], server: string): Promise<void> {
  const f = await probeGateway({ url, expectedMode: 'trusted-proxy', localUrl: 'http://127.0.0.1:18789' });
  expect(f.map((x) => `${x.checkId}:${x.severity}`), JSON.stringify(f, null, 2)).toEqual(['gateway.deep_proxy_blocks_health:warn']);
  const status = Number(/answer was HTTP (\d+)/.exec(f[0]!.detail)?.[1]);
  expect(statuses, f[0]!.detail).toContain(status);
  expect(f[0]!.detail).toContain(`Server: ${server}`);
  expect(f[0]!.detail).toContain('came from a proxy in front of it');
  expect(f[0]!.remediation).toContain('Let /healthz and /readyz through the proxy without sign-in');
  expect(f[0]!.remediation).toContain('--url http://127.0.0.1:18789');
}
