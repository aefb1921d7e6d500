/**
 * The gateway's own log, readable from the console: the ring of the latest lines (fed by the
 * logger) and the sessions that follow it.
 */
import { LogFollowers, type FollowOptions } from './follow.js';
import { LogRing } from './ring.js';

export { LogRing } from './ring.js';
export { LogFollowers } from './follow.js';

export interface GatewayLogs {
  readonly ring: LogRing;
  readonly followers: LogFollowers;
}

/** The log facility over `ring` (an empty one when the logger writes to none). */
export function gatewayLogs(ring: LogRing = new LogRing(), opts?: FollowOptions): GatewayLogs {
  return { ring, followers: new LogFollowers(ring, opts) };
}
