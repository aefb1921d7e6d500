/**
 * Baseline for figure 1: a bare node:http server that answers every request with the same bytes
 * the gateway sends for an authorized GET /api/whoami (the body the gateway returned, passed in,
 * and the same headers), so the difference measured is the gateway's routing and authentication,
 * not response size. On the same transport as the gateway it is compared with: TCP on loopback, a
 * Unix socket, or node:https asking for a client certificate as the gateway does (figure 1's
 * socket and mutual-TLS rows).
 *
 * Usage: node --expose-gc --import ./probe.js bare-http.js '<json body>' [unix:<path> | tls:<cert>,<key>,<client CA>]
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';

const body = process.argv[2] ?? '{}';
const transport = process.argv[3] ?? '';
const headers = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'content-length': Buffer.byteLength(body),
};

/** @param {import('node:http').IncomingMessage} _req @param {import('node:http').ServerResponse} res */
const answer = (_req, res) => {
  res.writeHead(200, headers);
  res.end(body);
};

let server;
if (transport.startsWith('tls:')) {
  const [cert, key, ca] = transport.slice(4).split(',').map((f) => readFileSync(f));
  server = createHttpsServer({ cert, key, ca, requestCert: true, rejectUnauthorized: false }, answer);
} else {
  server = createServer(answer);
}
if (transport.startsWith('unix:')) {
  const path = transport.slice(5);
  server.listen({ path }, () => process.stdout.write(`bare http listening on unix:${path}\n`));
} else {
  server.listen({ host: '127.0.0.1', port: 0 }, () => {
    const addr = /** @type {import('node:net').AddressInfo} */ (server.address());
    process.stdout.write(`bare http listening on ${transport ? 'https' : 'http'}://127.0.0.1:${addr.port}\n`);
  });
}
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
