/**
 * Who the caller is.
 */
import type { Whoami } from '../protocol/session.js';
import { method, NO_PARAMS } from './registry.js';

/** The identity the session connected with (the `hello-ok` identity) and its scopes now: the body of GET /api/whoami. */
export const whoami = method({
  name: 'whoami',
  scope: null,
  params: NO_PARAMS,
  handler: ({ session: { identity, scopes } }): Whoami => ({ user: identity.user, method: identity.method, groups: identity.groups, scopes }),
});
