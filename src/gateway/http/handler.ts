/**
 * The HTTP adapter: routes a request to the health probes, the API or the Control UI's files,
 * after the checks every request passes (a complete header list, a Host this gateway serves).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { shownHost } from '../../auth/host.js';
import { logRejection, type GatewayContext } from '../context.js';
import { gatewayFacts } from '../facts.js';
import { headersCut, hostOf, peerOf } from '../request.js';
import { healthz, readyz } from './probes.js';
import { refuseCutHeaders, sendRefusal } from './refusal.js';
import { API_ROUTES, serveApi } from './routes.js';
import type { StaticFiles } from './static.js';

const readOnly = (method: string) => method === 'GET' || method === 'HEAD';

export function createHttpHandler(ctx: GatewayContext, ui: StaticFiles | undefined) {
  const facts = gatewayFacts(ctx);
  return function handle(req: IncomingMessage, res: ServerResponse): void {
    // A header list Node may have cut is never decided on (see headersCut).
    if (headersCut(req)) return refuseCutHeaders(res);
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q >= 0 ? url.slice(0, q) : url;
    const method = req.method ?? 'GET';

    if (path === '/healthz') return readOnly(method) ? healthz(ctx, req, res) : sendRefusal(res, { reason: 'method_not_allowed' });
    if (path === '/readyz') return readOnly(method) ? readyz(ctx, res) : sendRefusal(res, { reason: 'method_not_allowed' });

    // Everything but the health probes answers only to the names this gateway serves (DNS rebinding).
    const gen = ctx.generation;
    if (gen.hosts.enforced) {
      const host = hostOf(req);
      if (!gen.hosts.allows(host)) {
        logRejection(ctx, { reason: 'host_not_allowed', peer: peerOf(req), path: url, surface: 'http', detail: shownHost(host) });
        return sendRefusal(res, { reason: 'host_not_allowed' });
      }
    }

    if (path.startsWith('/api/')) {
      if (!readOnly(method)) return sendRefusal(res, { reason: 'method_not_allowed' });
      const route = API_ROUTES.get(path);
      return route ? serveApi(ctx, gen, facts, route, req, res) : sendRefusal(res, { reason: 'not_found' });
    }

    if (ui && readOnly(method) && ui.serve(path, req, res)) return;
    sendRefusal(res, { reason: 'not_found' });
  };
}
