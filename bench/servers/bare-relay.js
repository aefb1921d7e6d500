/**
 * Figure 6's floor for any relay: a bare `ws` server (the gateway's options: no compression) that
 * answers `connect`, and answers `chat.send` by asking the model stub through the `openai` SDK
 * (the gateway's client, the same options) and relaying each piece as a `chat` event, then the
 * final one. No authentication, no validation, no storage: what an extra process between the
 * person and the model costs on this machine before the gateway does any work of its own.
 *
 * Usage: node --expose-gc --import ./probe.js bare-relay.js <model base URL>
 */
import { createServer } from 'node:http';
import OpenAI from 'openai';
import { WebSocketServer } from 'ws';

const sdk = new OpenAI({ baseURL: process.argv[2], apiKey: 'no-key', maxRetries: 0, logLevel: 'off' });
const server = createServer((_req, res) => {
  res.writeHead(404);
  res.end();
});
const wss = new WebSocketServer({ server, maxPayload: 64 * 1024, perMessageDeflate: false });
let runs = 0;

wss.on('connection', (ws) => {
  ws.on('error', () => ws.terminate());
  ws.on('message', async (data) => {
    const f = JSON.parse(data.toString());
    if (f.method === 'connect') return ws.send(JSON.stringify({ type: 'res', id: f.id, ok: true, payload: { type: 'hello-ok', protocol: 1 } }));
    const runId = `r${runs++}`;
    let seq = 0;
    const event = (payload) => ws.send(JSON.stringify({ type: 'event', event: 'chat', payload: { runId, sessionKey: 's', seq: seq++, ...payload } }));
    const chunks = await sdk.chat.completions.create({ model: 'm1', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: f.params.message }] });
    ws.send(JSON.stringify({ type: 'res', id: f.id, ok: true, payload: { runId, sessionKey: 's' } }));
    for await (const c of chunks) {
      const delta = c.choices[0]?.delta?.content;
      if (delta) event({ state: 'delta', delta });
    }
    event({ state: 'final' });
  });
});
server.listen({ host: '127.0.0.1', port: 0 }, () => {
  const addr = /** @type {import('node:net').AddressInfo} */ (server.address());
  process.stdout.write(`bare relay listening on http://127.0.0.1:${addr.port}\n`);
});
process.on('SIGTERM', () => {
  for (const ws of wss.clients) ws.terminate();
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
