import { describe, expect, it } from 'vitest';
import { API_ROUTES } from './routes.js';

describe('the HTTP API routes', () => {
  it('declares each /api/ route once, with the scope issue 14 will enforce', () => {
    expect([...API_ROUTES].map(([path, r]) => [path, r.path, r.scope])).toEqual([['/api/whoami', '/api/whoami', 'none']]);
  });
});
