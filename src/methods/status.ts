/**
 * The gateway's own state: is it up, and what is it running.
 */
import { method, NO_PARAMS, type GatewayFacts } from './registry.js';

/** Public, non-secret facts about the running gateway (the `status` payload). */
export function gatewayStatus(g: GatewayFacts) {
  const gen = g.generation;
  const cfg = gen.resolved.config.gateway;
  return {
    version: g.version,
    uptimeMs: g.now() - g.startedAt,
    startedAt: new Date(g.startedAt).toISOString(),
    authMode: gen.policy.mode,
    bind: cfg.bind,
    port: g.port,
    clients: g.clients,
    /** The config generation in force: 1 at start, +1 per applied reload. */
    config: {
      generation: gen.n,
      loadedAt: new Date(gen.loadedAt).toISOString(),
      pendingRestart: gen.pendingRestart,
    },
  };
}

export const health = method({ name: 'health', scope: null, params: NO_PARAMS, handler: () => ({ ok: true }) });

export const status = method({ name: 'status', scope: 'operator.read', params: NO_PARAMS, handler: (ctx) => gatewayStatus(ctx.gateway) });
