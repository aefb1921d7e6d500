/**
 * The HTTP API: each /api/* route declared once, with the scope a caller needs (issue 14 enforces
 * it, as for WebSocket methods) and its handler. Every route answers GET and HEAD only.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MethodScope } from '../../methods/registry.js';
import { decide, whenDecided, type Decision, type GatewayContext } from '../context.js';
import { sendJsonText, whoamiJson } from './json.js';
import { sendRefusal } from './refusal.js';

export interface ApiRoute {
  readonly path: string;
  readonly scope: MethodScope;
  readonly handle: (ctx: GatewayContext, req: IncomingMessage, res: ServerResponse) => void;
}

function answerWhoami(res: ServerResponse, { result, claimedUser }: Decision): void {
  // The client may have gone while a signature was being checked.
  if (res.destroyed || res.writableEnded) return;
  if (!result.ok) return sendRefusal(res, result.failure, claimedUser);
  const { text, bytes } = whoamiJson(result.identity);
  sendJsonText(res, 200, text, bytes);
}

function answerUndecided(res: ServerResponse): void {
  if (!res.headersSent && !res.destroyed) sendRefusal(res, { reason: 'internal' });
  else res.destroy();
}

/** GET /api/whoami: the auth decision on this request, as the identity or the refusal. */
const whoami: ApiRoute = {
  path: '/api/whoami',
  scope: 'none',
  handle(ctx, req, res) {
    const d = decide(ctx, req, 'http');
    // The usual, synchronous decision is answered without allocating callbacks for it.
    if (!(d instanceof Promise)) return answerWhoami(res, d);
    whenDecided(d, (decided) => answerWhoami(res, decided), () => answerUndecided(res));
  },
};

export const API_ROUTES: ReadonlyMap<string, ApiRoute> = new Map([whoami].map((r) => [r.path, r]));
