import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { knownKeysAt } from '../../src/config/schema.js';

const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');

/**
 * Every leaf key path the schema accepts, e.g. gateway.auth.rateLimit.maxAttempts. A map of named
 * entries (models.providers) contributes its entries' keys under `*`: models.providers.*.baseUrl.
 */
function allPaths(prefix: string[] = []): string[][] {
  return knownKeysAt(prefix).flatMap((k) => {
    const path = [...prefix, k];
    const children = allPaths(path);
    if (children.length) return children;
    const entries = knownKeysAt([...path, '*']).length ? allPaths([...path, '*']) : [];
    return entries.length ? [path, ...entries] : [path];
  });
}

describe('docs/configuration.md', () => {
  const paths = allPaths();

  it('walks the whole schema', () => {
    expect(paths.map((p) => p.join('.'))).toEqual(
      expect.arrayContaining(['gateway.port', 'gateway.auth.trustedProxy.userHeader', 'gateway.auth.rateLimit.maxAttempts', 'models.default', 'models.providers', 'models.providers.*.apiKey']),
    );
  });

  it.each(paths.map((p) => [p.join('.'), p] as const))('documents %s', (_name, path) => {
    // A key is documented by its full dotted path, or by its own name inside its parent's section.
    const full = path.join('.');
    const own = path[path.length - 1]!;
    expect(doc.includes(`\`${full}\``) || doc.includes(`\`${own}\``), `${full} is not in docs/configuration.md`).toBe(true);
  });
});
