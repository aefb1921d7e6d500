/**
 * Figure 6's model server: a minimal OpenAI-compatible `POST /v1/chat/completions` that streams
 * what the last message asks for, `bench:<chunks>:<delayMs>[:<thinkMs>]`: after `thinkMs` (the
 * model's time to its first token; default 0, the response's headers go out at once), that many chunks ("t0 ", "t1 ",
 * ...), `delayMs` apart (0: all at once), then the finish chunk, the usage chunk and `[DONE]`, as
 * the OpenAI API does. Read by the gateway and, for the baseline, directly by the load client.
 *
 * Usage: node --expose-gc --import ./probe.js model-stub.js
 */
import { createServer } from 'node:http';

const chunk = (content, finish) => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm1', choices: [{ index: 0, delta: content === undefined ? {} : { content }, finish_reason: finish ?? null }] })}\n\n`;
const usage = `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm1', choices: [], usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 } })}\n\n`;

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/v1/models') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ object: 'list', data: [{ id: 'm1', object: 'model' }] }));
    return;
  }
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    let n = 3;
    let delay = 0;
    let think = 0;
    try {
      const messages = JSON.parse(body).messages;
      const m = /^bench:(\d+):(\d+)(?::(\d+))?$/.exec(messages[messages.length - 1].content);
      if (m) [n, delay, think] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
    } catch {
      /* the defaults */
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const end = () => {
      res.write(chunk(undefined, 'stop'));
      res.write(usage);
      res.end('data: [DONE]\n\n');
    };
    const answer = () => {
      if (res.destroyed) return;
      if (delay === 0) {
        for (let i = 0; i < n; i++) res.write(chunk(`t${i} `));
        return end();
      }
      let i = 0;
      const tick = () => {
        if (res.destroyed) return;
        if (i === n) return end();
        res.write(chunk(`t${i++} `));
        setTimeout(tick, delay);
      };
      tick();
    };
    if (think === 0) return answer();
    res.flushHeaders();
    setTimeout(answer, think);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const a = /** @type {import('node:net').AddressInfo} */ (server.address());
  process.stdout.write(`model stub listening on http://127.0.0.1:${a.port}\n`);
});
