/**
 * The startup check of `gateway.authorization` that reads other sections: a rule naming groups
 * needs a groups source. Apart from the schema (authorization.ts), which schema.ts imports.
 */
import type { ConfigIssue } from './errors.js';
import { mergePreset } from './assertion.js';
import type { AssertionConfig } from './schema.js';
import { AUTHORIZATION_PATH, type AuthorizationConfig } from './authorization.js';

/**
 * Startup check: a rule that names groups needs a groups source (a signed assertion's groups claim
 * or `trustedProxy.groupsHeader`), as allowGroups does; without one nobody could ever match it.
 */
export function authorizationIssues(
  authorization: AuthorizationConfig | undefined,
  tp: { assertion?: AssertionConfig | undefined; groupsHeader?: string | undefined },
): ConfigIssue[] {
  if (!authorization) return [];
  const hasSource = tp.assertion ? mergePreset(tp.assertion).groupsClaim !== undefined : tp.groupsHeader !== undefined;
  if (hasSource) return [];
  const issues: ConfigIssue[] = [];
  authorization.rules.forEach((rule, i) => {
    if (!rule.groups?.length) return;
    issues.push({
      path: `${AUTHORIZATION_PATH}.rules[${i}].groups`,
      message: tp.assertion
        ? 'names groups, but the signed assertion has no groups claim, so no user could ever be in one'
        : 'names groups, but no groups source is configured, so no user could ever be in one',
      fix: tp.assertion
        ? 'set gateway.auth.trustedProxy.assertion.groupsClaim to the claim that lists the user\'s groups (the pomerium preset uses "groups"), or name users instead'
        : 'set gateway.auth.trustedProxy.groupsHeader to the header your proxy puts the user\'s groups in (a signed assertion with a groupsClaim is better), or name users instead',
    });
  });
  return issues;
}
