/**
 * The HTTP API: each /api/* route declared once, with the scope a caller needs and what it answers.
 * serveApi() is the one place an API request is allowed or refused: the auth decision, then the
 * caller's scopes (scopesFor, per request, allocating nothing) against the route's, and only then
 * the route. Every route answers GET and HEAD only.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { scopesFor } from '../../authz/decide.js';
import type { GatewayFacts, MethodScope } from '../../methods/registry.js';
import { assertDeclaredScope } from '../../methods/registry.js';
import { gatewayStatus } from '../../methods/status.js';
import type { Identity } from '../../protocol/identity.js';
import { allows, type ScopeList } from '../../protocol/scopes.js';
import type { Generation } from '../../reload/generation.js';
import { cachedAuditReport } from '../../security/run.js';
import { decide, logScopeMissing, whenDecided, type Decision, type GatewayContext } from '../context.js';
import { peerOf } from '../request.js';
import { sendJson, sendJsonText, whoamiJson } from './json.js';
import { sendRefusal, sendScopeMissing } from './refusal.js';

export interface ApiRoute {
  readonly path: string;
  /** null: any admitted caller; else the scope the caller's list must hold. */
  readonly scope: MethodScope;
  /**
   * Answers a caller that was admitted and whose scopes allow the route. `gen` is the generation
   * the request read at its start; `facts` what the route may read of the running gateway.
   */
  readonly answer: (res: ServerResponse, identity: Identity, scopes: ScopeList, gen: Generation, facts: GatewayFacts) => void;
}

/** GET /api/whoami: who the request is signed in as, and its scopes (the WebSocket `whoami` result). */
const whoami: ApiRoute = {
  path: '/api/whoami',
  scope: null,
  answer(res, identity, scopes) {
    const { text, bytes } = whoamiJson(identity, scopes);
    sendJsonText(res, 200, text, bytes);
  },
};

/** GET /api/status: the `status` method's payload. */
const status: ApiRoute = {
  path: '/api/status',
  scope: 'operator.read',
  answer: (res, _identity, _scopes, _gen, facts) => sendJson(res, 200, gatewayStatus(facts)),
};

/** GET /api/security/audit: the `security.audit` method's payload, for the generation in force. */
const securityAudit: ApiRoute = {
  path: '/api/security/audit',
  scope: 'operator.admin',
  answer: (res, _identity, _scopes, gen) => sendJson(res, 200, cachedAuditReport(gen.resolved)),
};

/**
 * The route table, by path. Throws on a repeated path or a route without a known scope (null or
 * a scope name): the type requires the declaration, this catches one that slips past it.
 */
export function routeTable(routes: readonly ApiRoute[]): ReadonlyMap<string, ApiRoute> {
  const table = new Map<string, ApiRoute>();
  for (const r of routes) {
    assertDeclaredScope('route', r.path, (r as { scope?: unknown }).scope);
    if (table.has(r.path)) throw new Error(`route "${r.path}" is declared twice`);
    table.set(r.path, Object.freeze(r));
  }
  return table;
}

export const API_ROUTES: ReadonlyMap<string, ApiRoute> = routeTable([whoami, status, securityAudit]);

function answerDecided(ctx: GatewayContext, gen: Generation, facts: GatewayFacts, route: ApiRoute, req: IncomingMessage, res: ServerResponse, { result, claimedUser }: Decision): void {
  // The client may have gone while a signature was being checked.
  if (res.destroyed || res.writableEnded) return;
  if (!result.ok) return sendRefusal(res, result.failure, claimedUser);
  const identity = result.identity;
  // Per request, from the admitted identity and this generation's rules only (no header but the
  // verified ones can add a scope); a shared list, so nothing is allocated for it.
  const scopes = scopesFor(identity, gen.authorization);
  const needed = route.scope;
  if (needed !== null && !allows(scopes, needed)) {
    logScopeMissing(ctx, { user: identity.user, method: identity.method, what: route.path, needed, scopes, peer: peerOf(req), surface: 'http' });
    return sendScopeMissing(res, route.path, needed, scopes);
  }
  route.answer(res, identity, scopes, gen, facts);
}

function answerUndecided(res: ServerResponse): void {
  if (!res.headersSent && !res.destroyed) sendRefusal(res, { reason: 'internal' });
  else res.destroy();
}

/** Decides the request, checks the caller's scopes against the route's, then answers. */
export function serveApi(ctx: GatewayContext, gen: Generation, facts: GatewayFacts, route: ApiRoute, req: IncomingMessage, res: ServerResponse): void {
  const d = decide(ctx, req, 'http', undefined, gen);
  // The usual, synchronous decision is answered without allocating callbacks for it.
  if (!(d instanceof Promise)) return answerDecided(ctx, gen, facts, route, req, res, d);
  whenDecided(d, (decided) => answerDecided(ctx, gen, facts, route, req, res, decided), () => answerUndecided(res));
}
