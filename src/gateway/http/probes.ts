/**
 * The health probes, answered to anyone (no auth, no Host check): /healthz (up) and /readyz (able
 * to decide).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { forwardedVerdictHeaders } from '../../net/forwarded.js';
import { REASONS } from '../../protocol/reasons.js';
import type { GatewayContext } from '../context.js';
import { currentVia, viaOf } from '../request.js';
import { fromTrustedProxy } from '../../auth/source.js';
import { sendJson } from './json.js';

/** Up. Says whether forwarding headers reached it from a trusted proxy (net/forwarded.ts), for `mayros security audit --deep`. */
export function healthz(ctx: GatewayContext, req: IncomingMessage, res: ServerResponse): void {
  const gen = ctx.generation;
  sendJson(res, 200, { ok: true }, forwardedVerdictHeaders(fromTrustedProxy(currentVia(viaOf(req), gen.tls?.anchors), gen.policy), req.headers));
}

/**
 * Ready = able to decide. Only signing keys can be missing; the detail stays in the log. Also says
 * which config generation is in force and since when (a counter and a time, so a reload can be
 * confirmed through a proxy or without credentials); never a name, an address, a mode or a value
 * from the config.
 */
export function readyz(ctx: GatewayContext, res: ServerResponse): void {
  const gen = ctx.generation;
  const config = { generation: gen.n, loadedAt: new Date(gen.loadedAt).toISOString() };
  const r = gen.keys?.readiness() ?? { ready: true };
  if (r.ready) return sendJson(res, 200, { ready: true, config });
  const unready = 'trusted_proxy_assertion_keys_unavailable';
  sendJson(res, REASONS[unready].status, { ready: false, reason: unready, config });
}
