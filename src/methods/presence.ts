/**
 * Who is connected.
 */
import { method, NO_PARAMS } from './registry.js';

/** `{ entries }`: every connected session (the same object until the next change, serialized once). */
export const presenceList = method({ name: 'presence.list', scope: 'operator.read', params: NO_PARAMS, handler: (ctx) => ctx.gateway.presence.snapshot() });
