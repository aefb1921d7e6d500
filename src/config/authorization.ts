/**
 * The `gateway.authorization` config section: which operator scopes an admitted identity gets.
 * Every problem names its field and carries its fix (in the issue's `params.fix`, read by
 * src/config/parse.ts); the cross-section check (a group rule needs a groups source) is in
 * authorization-checks.ts, run at startup from src/config/validate.ts. The decision itself is in src/authz/.
 */
import { z } from 'zod';
import { SCOPES, isScope, type Scope } from '../protocol/scopes.js';
import { didYouMean } from './errors.js';

/** The section's config path, as issues name it. */
export const AUTHORIZATION_PATH = 'gateway.authorization';

const SCOPE_LIST = SCOPES.join(', ');

/** The fix for a misspelt scope: the likely one, or the list. */
function scopeFix(name: string): string {
  // "admin" for "operator.admin": too far apart for the edit distance, but plainly meant.
  const guess = isScope(`operator.${name}`) ? `operator.${name}` : didYouMean(name, SCOPES);
  return guess ? `did you mean "${guess}"? (scopes: ${SCOPE_LIST})` : `use one of ${SCOPE_LIST}`;
}

const scopeName = z
  .string()
  .superRefine((name, ctx) => {
    if (!isScope(name)) ctx.addIssue({ code: 'custom', message: `unknown scope "${name}"`, params: { fix: scopeFix(name) } });
  })
  .transform((name) => name as Scope);

/** A user or group name in a rule: matched exactly, so "*" is never a wildcard. */
function matchName(kind: 'user' | 'group') {
  return z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .superRefine((name, ctx) => {
      if (name === '*') {
        ctx.addIssue({
          code: 'custom',
          message: `"*" is not a wildcard: a ${kind} is matched exactly, so this would only match a ${kind} named "*"`,
          params: { fix: `to give every admitted identity some scopes, remove this entry and set ${AUTHORIZATION_PATH}.defaultScopes` },
        });
      }
    });
}

/** One rule: the users and/or groups it names, and the scopes it grants them. */
export const authorizationRuleSchema = z
  .object({
    users: z.array(matchName('user')).optional(),
    groups: z.array(matchName('group')).optional(),
    scopes: z.array(scopeName),
  })
  .strict()
  .superRefine((rule, ctx) => {
    if (!rule.users?.length && !rule.groups?.length) {
      // A rule for everyone is what defaultScopes is for; an empty one would match nobody.
      ctx.addIssue({
        code: 'custom',
        message: 'names no user and no group, so it would match nobody',
        params: { fix: `list the users (exactly as the proxy sends them) or groups it applies to; to give every admitted identity these scopes, set ${AUTHORIZATION_PATH}.defaultScopes instead` },
      });
    }
    if (rule.scopes.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['scopes'],
        message: 'grants no scope, so the rule has no effect',
        params: { fix: `list the scopes it grants (${SCOPE_LIST}), or remove the rule` },
      });
    }
  });

/** `gateway.authorization`: scopes for everyone admitted, and rules for named users and groups. */
export const authorizationSchema = z
  .object({
    /** Scopes of an admitted identity that no rule names; unset = the auth mode's default. */
    defaultScopes: z.array(scopeName).optional(),
    rules: z.array(authorizationRuleSchema).default([]),
  })
  .strict();

export type AuthorizationConfig = z.output<typeof authorizationSchema>;
export type AuthorizationRule = z.output<typeof authorizationRuleSchema>;
