/**
 * Who the caller is.
 */
import { method, NO_PARAMS } from './registry.js';

/** The identity the session connected with (the `hello-ok` identity). */
export const whoami = method({ name: 'whoami', scope: 'none', params: NO_PARAMS, handler: (ctx) => ctx.session.identity });
