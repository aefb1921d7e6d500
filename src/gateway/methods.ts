/**
 * Methods a connected WebSocket session may call. One table: name -> handler.
 */
import type { RequestFrame, ResponseError } from '../protocol/frames.js';
import type { GatewayContext } from './context.js';
import type { Session, WsGateway } from './ws.js';
import { cachedAuditReport } from '../security/run.js';
import { frameError } from '../protocol/reasons.js';

export type MethodResult = { ok: true; payload: unknown } | { ok: false; error: ResponseError };

type Handler = (ctx: GatewayContext, gw: WsGateway, s: Session, params: unknown) => MethodResult;

const ok = (payload: unknown): MethodResult => ({ ok: true, payload });

/** Public, non-secret facts about the running gateway. */
export function gatewayStatus(ctx: GatewayContext, gw: WsGateway) {
  const gen = ctx.generation;
  const g = gen.resolved.config.gateway;
  return {
    version: ctx.version,
    uptimeMs: ctx.now() - ctx.startedAt,
    startedAt: new Date(ctx.startedAt).toISOString(),
    authMode: gen.policy.mode,
    bind: g.bind,
    port: ctx.port,
    clients: gw.connectedCount,
    /** The config generation in force: 1 at start, +1 per applied reload. */
    config: {
      generation: gen.n,
      loadedAt: new Date(gen.loadedAt).toISOString(),
      pendingRestart: gen.pendingRestart,
    },
  };
}

export const METHODS: Readonly<Record<string, Handler>> = Object.freeze({
  health: () => ok({ ok: true }),
  status: (ctx, gw) => ok(gatewayStatus(ctx, gw)),
  whoami: (_ctx, _gw, s) => ok(s.identity),
  'presence.list': (ctx) => ok(ctx.presence.snapshot()),
  /** `{summary, findings}` of `mayros security audit` for the config this gateway runs. */
  'security.audit': (ctx) => ok(cachedAuditReport(ctx.generation.resolved)),
});

export function callMethod(ctx: GatewayContext, gw: WsGateway, s: Session, frame: RequestFrame): MethodResult {
  const handler = Object.hasOwn(METHODS, frame.method) ? METHODS[frame.method] : undefined;
  if (!handler) return { ok: false, error: frameError('unknown_method', `unknown method "${frame.method}"; available: ${Object.keys(METHODS).join(', ')}`) };
  try {
    return handler(ctx, gw, s, frame.params);
  } catch {
    return { ok: false, error: frameError('internal', 'the method failed') };
  }
}
