/**
 * Baseline for figure 1: a bare node:http server that answers every request with the same bytes
 * the gateway sends for an authorized GET /api/whoami (the body the gateway returned, passed in,
 * and the same headers), so the difference measured is the gateway's routing and authentication,
 * not response size.
 *
 * Usage: node --expose-gc --import ./probe.js bare-http.js '<json body>'
 */
import { createServer } from 'node:http';

const body = process.argv[2] ?? '{}';
const headers = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'content-length': Buffer.byteLength(body),
};

const server = createServer((_req, res) => {
  res.writeHead(200, headers);
  res.end(body);
});
server.listen({ host: '127.0.0.1', port: 0 }, () => {
  const addr = /** @type {import('node:net').AddressInfo} */ (server.address());
  process.stdout.write(`bare http listening on http://127.0.0.1:${addr.port}\n`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
