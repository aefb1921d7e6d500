import { describe, expect, it } from 'vitest';
import { SCOPES } from '../../protocol/scopes.js';
import { API_ROUTES, routeTable, type ApiRoute } from './routes.js';

const route = (path: string, scope: unknown): ApiRoute => ({ path, scope, answer: () => undefined }) as unknown as ApiRoute;

describe('the HTTP API routes', () => {
  it('declares each /api/ route once, with the scope it needs (docs/protocol.md)', () => {
    expect([...API_ROUTES].map(([path, r]) => [path, r.path, r.scope])).toEqual([
      ['/api/whoami', '/api/whoami', null],
      ['/api/status', '/api/status', 'operator.read'],
      ['/api/security/audit', '/api/security/audit', 'operator.admin'],
    ]);
  });

  it('cannot declare a route without a known scope: the type refuses it, and so does the table at run time', () => {
    // @ts-expect-error -- scope is required
    const unscoped: ApiRoute = { path: '/api/x', answer: () => undefined };
    expect(() => routeTable([unscoped])).toThrow('route "/api/x" declares no scope; declare null (no scope needed) or one of operator.admin, operator.read, operator.write');
    for (const bad of ['none', 'admin', 'operator.ADMIN', '']) expect(() => routeTable([route('/api/x', bad)]), bad).toThrow(/^route "\/api\/x" declares scope/);
    for (const ok of [null, ...SCOPES]) expect(() => routeTable([route('/api/x', ok)])).not.toThrow();
  });

  it('refuses a path declared twice', () => {
    expect(() => routeTable([route('/api/x', null), route('/api/x', null)])).toThrow('route "/api/x" is declared twice');
  });
});
