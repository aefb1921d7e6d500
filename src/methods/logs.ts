/**
 * The gateway's own log lines: `logs.tail` reads the ring (src/logs/) after a cursor and, with
 * `follow`, subscribes the session to `logs.line` events.
 */
import { z } from 'zod';
import type { LogsTailResult } from '../protocol/logs.js';
import { method } from './registry.js';

export const LOGS_TAIL_DEFAULT_LIMIT = 200;
export const LOGS_TAIL_MAX_LIMIT = 1000;

const params = z
  .object({
    /** The `cursor` of a previous answer or event: lines after it. Absent: the latest lines. */
    cursor: z.number().int().min(0).optional(),
    limit: z.number().int().min(1).max(LOGS_TAIL_MAX_LIMIT).default(LOGS_TAIL_DEFAULT_LIMIT),
    /** true: send this session `logs.line` events from now on; false: stop; absent: unchanged. */
    follow: z.boolean().optional(),
  })
  .optional()
  .transform((p) => p ?? { limit: LOGS_TAIL_DEFAULT_LIMIT });

export const logsTail = method({
  name: 'logs.tail',
  scope: 'operator.admin',
  params,
  handler: (ctx, p): LogsTailResult => {
    const { ring, followers } = ctx.gateway.logs;
    const connId = ctx.session.connId;
    // Subscribed in the same turn as the read: every line after the returned cursor comes in an event.
    if (p.follow === true) followers.follow(connId, (payload) => ctx.emit('logs.line', payload));
    else if (p.follow === false) followers.unfollow(connId);
    return { ...ring.since(p.cursor, p.limit), following: followers.has(connId) };
  },
});
