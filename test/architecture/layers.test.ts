/**
 * The layering of src/ is a CI rule: dependency-cruiser checks it with .dependency-cruiser.cjs
 * (see docs/architecture.md). The first case cruises the real tree; the second proves each rule
 * catches a violating import, on a small tree written for the purpose.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const config = join(root, '.dependency-cruiser.cjs');
const depcruise = join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

/** Runs dependency-cruiser in `cwd` over `paths` with the project's rules; returns its violations. */
function cruise(cwd: string, paths: string[]): Violation[] {
  const r = spawnSync(process.execPath, [depcruise, ...paths, '--config', config, '--output-type', 'json'], { cwd, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (!r.stdout.trim().startsWith('{')) throw new Error(`dependency-cruiser did not report (exit ${r.status}): ${r.stderr}`);
  return (JSON.parse(r.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

describe('layering (dependency-cruiser)', () => {
  it('src/ and ui/src/ break no rule', () => {
    const found = cruise(root, ['src', 'ui/src']).map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`);
    expect(found).toEqual([]);
  });

  it('catches a violating import for every rule', () => {
    const tmp = { dir: mkdtempSync(join(tmpdir(), 'mayros-layers-')) };
    const files: Record<string, string> = {
      'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }),
      // Each line below breaks one rule.
      'src/net/ip.ts': "import { x } from '../gateway/server.js';\nexport const ip = x;\n",
      'src/protocol/frames.ts': "import { readFileSync } from 'node:fs';\nimport { c } from '../config/load.js';\nexport const f = [readFileSync, c];\n",
      'src/version.ts': "import { ip } from './net/ip.js';\nexport const v = ip;\n",
      'src/config/load.ts': "import { a } from '../auth/policy.js';\nexport const c = a;\n",
      'src/auth/policy.ts': "import { r } from '../reload/reloader.js';\nimport { z } from '../authz/scopes.js';\nexport const a = [r, z];\n",
      'src/authz/scopes.ts': 'export const z = 1;\n',
      'src/store/open.ts': "import { a } from '../auth/policy.js';\nexport const o = a;\n",
      'src/reload/reloader.ts': "import { x } from '../gateway/server.js';\nexport const r = x;\n",
      'src/methods/index.ts': "import { x } from '../gateway/server.js';\nexport const m = x;\n",
      'src/gateway/server.ts': "import { main } from '../cli/main.js';\nexport const x = main;\n",
      'src/cli/main.ts': 'export const main = 1;\n',
      'src/gateway/a.ts': "import { b } from './b.js';\nexport const a = b;\n",
      'src/gateway/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
      'ui/src/client.ts': "import { x } from '../../src/gateway/server.js';\nexport const c = x;\n",
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(tmp.dir, path)), { recursive: true });
      writeFileSync(join(tmp.dir, path), text);
    }
    let violations: Violation[];
    try {
      violations = cruise(tmp.dir, ['src', 'ui/src']);
    } finally {
      rmSync(tmp.dir, { recursive: true, force: true });
    }
    const byRule = new Map<string, string[]>();
    for (const v of violations) byRule.set(v.rule.name, [...(byRule.get(v.rule.name) ?? []), `${v.from} -> ${v.to}`]);
    expect(Object.fromEntries([...byRule].map(([k, v]) => [k, v.sort()]))).toEqual({
      'no-cycles': expect.arrayContaining(['src/gateway/a.ts -> src/gateway/b.ts']),
      'protocol-imports-nothing-of-ours': ['src/protocol/frames.ts -> src/config/load.ts'],
      'net-imports-nothing-of-ours': ['src/net/ip.ts -> src/gateway/server.ts'],
      'version-imports-nothing': ['src/version.ts -> src/net/ip.ts'],
      'config-below-everything': ['src/config/load.ts -> src/auth/policy.ts'],
      'decisions-stay-pure': ['src/auth/policy.ts -> src/reload/reloader.ts'],
      'auth-below-authz': ['src/auth/policy.ts -> src/authz/scopes.ts'],
      'infrastructure-below-adapters': ['src/store/open.ts -> src/auth/policy.ts'],
      'services-below-methods': ['src/reload/reloader.ts -> src/gateway/server.ts'],
      'methods-below-gateway': ['src/methods/index.ts -> src/gateway/server.ts'],
      'nothing-imports-cli': ['src/gateway/server.ts -> src/cli/main.ts'],
      'ui-imports-protocol-only': ['ui/src/client.ts -> src/gateway/server.ts'],
      'shared-with-ui-is-node-free': ['src/protocol/frames.ts -> fs'],
    });
  });
});
