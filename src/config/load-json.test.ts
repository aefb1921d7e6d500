/**
 * Plain-JSON config files take a JSON.parse fast path (start-up time, docs/performance.md); these
 * pin that the fast path reads every file exactly as JSON5 would.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { loadConfig } from './load.js';

const dir = mkdtempSync(join(tmpdir(), 'mayros-config-json-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function load(text: string) {
  const p = join(dir, `c${n++}.json`);
  writeFileSync(p, text);
  try {
    return { config: loadConfig({ configPath: p, env: { MAYROS_STATE_DIR: dir } }).config };
  } catch (err) {
    if (err instanceof ConfigError) return { issues: err.issues.map((i) => `${i.path}: ${i.message}`) };
    throw err;
  }
}

describe('plain JSON and JSON5 spellings load the same', () => {
  it.each([
    [
      '{"gateway":{"port":1234,"trustedProxies":["127.0.0.1","10.0.0.0/8"],"auth":{"mode":"trusted-proxy","trustedProxy":{"userHeader":"X-User","allowUsers":["a@example.com"]}}}}',
      "{ gateway: { port: 1234, trustedProxies: ['127.0.0.1', '10.0.0.0/8'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'X-User', allowUsers: ['a@example.com'] } } } } // json5",
    ],
    ['{"gateway":{"port":1,"port":2}}', '{ gateway: { port: 1, port: 2, }, }'],
    ['{"__proto__":{"gateway":{"port":7}}}', "{ '__proto__': { gateway: { port: 7 } } }"],
    ['{"gateway":{"port":"80"}}', "{ gateway: { port: '80' } }"],
    ['{"gateway":{"nope":true}}', '{ gateway: { nope: true } }'],
  ])('%s', (json, json5) => {
    const a = load(json);
    const b = load(json5);
    expect(a).toEqual(b);
  });

  it('still reports JSON5 syntax errors with their position', () => {
    expect(load('{"gateway": {"port": 1,}} }')).toEqual({ issues: [expect.stringMatching(/not valid JSON5 at line 1/)] });
  });
});
