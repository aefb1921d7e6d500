/**
 * Checks of operator scopes (`gateway.authorization`): who can change the gateway from a browser.
 */
import type { Config } from '../config/schema.js';
import { compileAuthorization } from '../authz/compile.js';
import { hasScope, impliedMask, type Scope } from '../protocol/scopes.js';
import { finding, type Finding } from './findings.js';

const quoteList = (items: readonly string[]) => items.map((s) => `"${s}"`).join(', ');

const ADMIN_RULE_EXAMPLE = '{ users: ["you@example.com"], scopes: ["operator.admin"] }';

/**
 * Rules can only name users and groups (startup refuses a rule naming neither, and "*"), so the
 * one grant that reaches every admitted person is defaultScopes: that is what "matches everyone"
 * means here. A group that every user happens to have cannot be known from the config.
 */
export function checkAuthorization(config: Config): Finding[] {
  const g = config.gateway;
  const tp = g.auth.trustedProxy;
  const proxyMode = g.auth.mode === 'trusted-proxy';
  const c = compileAuthorization(config);
  const admin = (scopes: readonly Scope[]) => scopes.some((s) => hasScope(impliedMask(s), 'operator.admin'));
  const out: Finding[] = [];

  if (proxyMode && c.defaultFrom === 'defaultScopes' && hasScope(c.defaultMask, 'operator.admin')) {
    const who = tp.allowUsers.length || tp.allowGroups.length ? 'every user allowUsers and allowGroups let in' : 'every user the proxy authenticates (allowUsers and allowGroups are empty)';
    out.push(
      finding(
        'gateway.authorization_default_admin',
        'critical',
        'Every admitted user is an admin',
        `gateway.authorization.defaultScopes grants operator.admin, so ${who} can change the gateway from a browser: read and edit its config, read its logs and journal, run the security audit and act on other people's sessions.`,
        `Set gateway.authorization.defaultScopes to ["operator.read", "operator.write"] (or [] for "admitted, may do nothing yet"), and name the admins in a rule, e.g. rules: [${ADMIN_RULE_EXAMPLE}].`,
      ),
    );
  }

  // Groups from a plain header: with an assertion, groups come only from its signed claim.
  if (proxyMode && tp.groupsHeader && !tp.assertion) {
    const adminGroupRules = c.rules.filter((r) => r.groups.length > 0 && admin(r.scopes));
    if (adminGroupRules.length) {
      const groups = [...new Set(adminGroupRules.flatMap((r) => r.groups))];
      out.push(
        finding(
          'gateway.authorization_admin_group_unsigned',
          'warn',
          'Admin is granted by a group read from a plain header',
          `${adminGroupRules.map((r) => `gateway.authorization.rules[${r.index}]`).join(', ')} grant${adminGroupRules.length === 1 ? 's' : ''} operator.admin to members of ${quoteList(groups)}, and groups come from the header "${tp.groupsHeader}", which nothing signs. ` +
            `If a client's own ${tp.groupsHeader} ever gets past the proxy (a route that does not overwrite it, a proxy that sets it only when the sign-in answer carries groups), that client is an admin of the gateway.`,
          `Take groups from a signed assertion (gateway.auth.trustedProxy.assertion with a groupsClaim; see docs/signed-assertions.md) and remove groupsHeader, or grant operator.admin by user instead, e.g. ${ADMIN_RULE_EXAMPLE}. ` +
            `At the least, make the proxy set ${tp.groupsHeader} on every request and remove it when the sign-in answer has none, and test it with a signed-in request that sends its own copy.`,
        ),
      );
    }
  }

  const anyAdmin = hasScope(c.defaultMask, 'operator.admin') || (proxyMode && c.rules.some((r) => admin(r.scopes)));
  if (!anyAdmin) {
    out.push(
      proxyMode
        ? finding(
            'gateway.authorization_no_admin',
            'info',
            'Nobody is an admin',
            `No rule in gateway.authorization grants operator.admin${c.defaultFrom === 'mode' ? ' (without defaultScopes, trusted-proxy mode gives every admitted user operator.read and operator.write)' : ', nor does defaultScopes'}. ` +
              'The Control UI can chat, but nobody can change the gateway from the browser: config, logs, the journal and the security audit stay with whoever has a shell on this host.',
            `Nothing to fix if that is intended. Otherwise name the admins, exactly as the proxy sends them: gateway.authorization.rules: [${ADMIN_RULE_EXAMPLE}].`,
          )
        : finding(
            'gateway.authorization_no_admin',
            'info',
            'Nobody is an admin',
            `gateway.authorization.defaultScopes does not grant operator.admin, and in ${g.auth.mode} mode it is the only grant that applies (rules match user names and groups, which only trusted-proxy mode has). ` +
              'Whoever connects can do only what those scopes allow; nobody can change the gateway from the browser.',
            'Nothing to fix if that is intended. Otherwise add "operator.admin" to gateway.authorization.defaultScopes, or remove defaultScopes (this mode then gives operator.admin).',
          ),
    );
  }
  return out;
}
