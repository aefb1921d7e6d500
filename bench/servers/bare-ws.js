/**
 * Baseline for figures 2 and 3: a bare `ws` server (same options as the gateway's: no
 * compression, 64 KiB max payload) that answers the first frame of each connection with one
 * hello-ok-shaped frame and otherwise does nothing.
 *
 * Usage: node --expose-gc --import ./probe.js bare-ws.js
 */
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const server = createServer((_req, res) => {
  res.writeHead(404);
  res.end();
});
const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, perMessageDeflate: false, clientTracking: false });
/** @type {Set<import('ws').WebSocket>} */
const sockets = new Set();

server.on('upgrade', (req, socket, head) => {
  socket.on('error', () => socket.destroy());
  wss.handleUpgrade(req, socket, head, (ws) => {
    sockets.add(ws);
    ws.once('message', (data) => {
      /** @type {any} */
      let id = null;
      try {
        id = JSON.parse(data.toString()).id ?? null;
      } catch {
        /* answer anyway: the baseline does no validation */
      }
      ws.send(JSON.stringify({ type: 'res', id, ok: true, payload: { type: 'hello-ok', protocol: 1 } }));
    });
    ws.on('error', () => ws.terminate());
    ws.on('close', () => sockets.delete(ws));
  });
});
server.listen({ host: '127.0.0.1', port: 0 }, () => {
  const addr = /** @type {import('node:net').AddressInfo} */ (server.address());
  process.stdout.write(`bare ws listening on http://127.0.0.1:${addr.port}\n`);
});
process.on('SIGTERM', () => {
  for (const ws of sockets) ws.terminate();
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
