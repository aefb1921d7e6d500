import { readFileSync } from 'node:fs';
import JSON5 from 'json5';
import { describe, expect, it } from 'vitest';
import { parseConfigObject } from '../../src/config/parse.js';
import { validateForStartup } from '../../src/config/validate.js';
import { compileAuthorization } from '../../src/authz/compile.js';
import { scopesFor } from '../../src/authz/decide.js';

const doc = readFileSync(new URL('../../docs/authorization.md', import.meta.url), 'utf8');

/** The json5 examples of the page, as whole configs (a fragment starts with its top key). */
const examples = [...doc.matchAll(/```json5\n([\s\S]*?)```/g)].map((m) => {
  const text = m[1]!.trim();
  const obj = JSON5.parse(`{${text}}`) as Record<string, unknown>;
  return 'gateway' in obj ? obj : { gateway: { trustedProxies: ['127.0.0.1'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user', groupsHeader: 'x-forwarded-groups' } }, ...obj } };
});

const R = 'operator.read';
const W = 'operator.write';
const A = 'operator.admin';

describe('docs/authorization.md examples', () => {
  it('has the three examples, each a config the gateway starts with', () => {
    expect(examples).toHaveLength(3);
    for (const e of examples) expect(validateForStartup(parseConfigObject(e))).toEqual([]);
  });

  it.each([
    // One admin, by e-mail.
    [0, 'alice@example.com', [], [A, R, W]],
    [0, 'bob@example.com', [], [R, W]],
    // An admins group from a signed assertion.
    [1, 'bob@example.com', ['mayros-admins'], [A, R, W]],
    [1, 'carol@example.com', ['staff'], [R, W]],
    // Read-only auditors.
    [2, 'dave@example.com', ['auditors'], [R]],
    [2, 'erin@example.com', ['auditors', 'mayros-operators'], [R, W]],
    [2, 'frank@example.com', [], []],
    [2, 'alice@example.com', [], [A, R, W]],
  ] as const)('example %i: %s in %j gets %j, as the page says', (i, user, groups, want) => {
    expect(scopesFor({ user, groups }, compileAuthorization(parseConfigObject(examples[i])))).toEqual(want);
  });
});
