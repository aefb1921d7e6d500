/**
 * What methods and API routes may read of the running gateway: one object per gateway whose every
 * read is live (the generation in force, the sessions connected now).
 */
import type { GatewayFacts } from '../methods/registry.js';
import type { GatewayContext } from './context.js';

/** Made once per adapter; `clients` counts the sessions that completed `connect` (they are in presence). */
export function gatewayFacts(ctx: GatewayContext): GatewayFacts {
  return {
    get version() {
      return ctx.version;
    },
    get startedAt() {
      return ctx.startedAt;
    },
    now: () => ctx.now(),
    get port() {
      return ctx.port;
    },
    get generation() {
      return ctx.generation;
    },
    get clients() {
      return ctx.presence.size;
    },
    presence: ctx.presence,
    get database() {
      return ctx.database;
    },
    get journal() {
      return ctx.journal;
    },
    logs: ctx.logs,
    metrics: ctx.metrics,
    chat: ctx.chat,
  };
}
