/**
 * A loopback OpenAI-compatible model server for tests and the benchmark. POST
 * /v1/chat/completions answers from a queue of scripts (streamed chunk by chunk with scripted
 * timing, or whole, or a scripted failure); GET /v1/models lists `models`. Every request is
 * recorded (model, messages, headers) so a test can check what reached the server. Started on
 * 127.0.0.1 port 0; stopped by the test with close().
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface StubChunk {
  text: string;
  /** Wait before sending this chunk (default: the script's chunkDelayMs). */
  delayMs?: number;
  /**
   * Sent only once this settles (then after delayMs): a test holds the rest of an answer until it
   * has done what must happen while the run is still going, whatever the machine's load.
   */
  after?: Promise<unknown>;
}

/**
 * A point a stubbed answer waits at (a chunk's `after`) until the test calls open(): the run stays
 * going while the test acts on it, however loaded the machine is.
 */
export function gate(): { opened: Promise<void>; open: () => void } {
  let release!: () => void;
  const opened = new Promise<void>((r) => (release = r));
  return { opened, open: release };
}

export interface StubUsage {
  prompt: number;
  completion: number;
}

/**
 * How a streamed answer ends after its chunks:
 * - `done`: a finish chunk, the usage chunk (when the client asked for it) and `[DONE]`;
 * - `cut`: the connection is destroyed (a server crash mid-answer);
 * - `malformed`: one `data:` line that is not JSON, then the response ends;
 * - `stall`: nothing more is sent and the response stays open (a hung server);
 * - `no-done`: the response ends cleanly with no finish chunk and no `[DONE]`;
 * - `error-event`: a `data: {"error": ...}` event, then the response ends.
 */
export type StreamEnd = 'done' | 'cut' | 'malformed' | 'stall' | 'no-done' | 'error-event';

export type StubScript =
  | { kind: 'stream'; chunks: (string | StubChunk)[]; chunkDelayMs?: number; headerDelayMs?: number; usage?: StubUsage; finishReason?: string; end?: StreamEnd }
  /** A non-streaming answer (also sent when a streamed script meets a request without stream: true). */
  | { kind: 'json'; text: string; usage?: StubUsage; finishReason?: string; headerDelayMs?: number }
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  /** Accepts the request and never answers (for timeouts). */
  | { kind: 'hang' };

export type ModelsScript = { kind: 'list' } | Extract<StubScript, { kind: 'status' | 'hang' }>;

export interface StubRequest {
  method: string;
  path: string;
  /** Request headers without `authorization`. */
  headers: Record<string, string | string[] | undefined>;
  /** The Authorization header, kept apart so printing a request shows no key. */
  authorization: string | undefined;
  body: Record<string, unknown> | undefined;
  model: string | undefined;
  messages: { role: string; content: string }[];
  stream: boolean;
  /** True when the client closed the connection before the stub had finished answering. */
  clientClosed: boolean;
  /** Resolves when the request's response or connection has ended. */
  closed: Promise<void>;
}

export interface OpenAIStub {
  /** http://127.0.0.1:PORT/v1 */
  readonly baseUrl: string;
  readonly port: number;
  readonly requests: StubRequest[];
  /** Model ids listed by GET /v1/models. */
  models: string[];
  /** When set, a request without "Authorization: Bearer <apiKey>" gets 401, as real servers do. */
  apiKey: string | undefined;
  /** Answers chat completions once the queue is empty (default: a 500 saying no script was queued). */
  fallback: StubScript | ((req: StubRequest) => StubScript) | undefined;
  /** Queues answers for the next chat completion requests, in order. */
  script(...scripts: StubScript[]): void;
  /** Queues answers for the next GET /v1/models requests (default: the list). */
  scriptModels(...scripts: ModelsScript[]): void;
  /** Resolves once `n` requests have arrived in all. */
  waitForRequests(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const sse = (res: ServerResponse, data: unknown): boolean => res.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);

export async function startOpenAIStub(): Promise<OpenAIStub> {
  const queue: StubScript[] = [];
  const modelsQueue: ModelsScript[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const arrivals: (() => void)[] = [];
  /** Responses the stub itself cut or abandoned: their close is not the client's doing. */
  const cutByStub = new WeakSet<ServerResponse>();
  let closing = false;
  let counter = 0;

  const later = (ms: number, res: ServerResponse, fn: () => void): void => {
    if (ms <= 0) return void (res.destroyed || fn());
    const t = setTimeout(() => {
      timers.delete(t);
      if (!res.destroyed) fn();
    }, ms);
    timers.add(t);
  };

  const stub: OpenAIStub = {
    baseUrl: '',
    port: 0,
    requests: [],
    models: ['stub-model'],
    apiKey: undefined,
    fallback: undefined,
    script: (...s) => void queue.push(...s),
    scriptModels: (...s) => void modelsQueue.push(...s),
    async waitForRequests(n, timeoutMs = 5000) {
      const end = Date.now() + timeoutMs;
      while (stub.requests.length < n) {
        if (Date.now() > end) throw new Error(`stub saw ${stub.requests.length} requests, expected ${n}`);
        await new Promise<void>((r) => {
          arrivals.push(r);
          setTimeout(r, 50);
        });
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        for (const t of timers) clearTimeout(t);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };

  function answer(req: StubRequest, res: ServerResponse, script: StubScript): void {
    if (script.kind === 'hang') return;
    if (script.kind === 'status') {
      res.writeHead(script.status, { 'content-type': 'application/json', ...script.headers });
      res.end(JSON.stringify(script.body ?? { error: { message: `stub status ${script.status}`, type: 'stub_error', code: null } }));
      return;
    }
    const id = `chatcmpl-stub-${++counter}`;
    const model = req.model ?? 'stub-model';
    const usage = script.usage && { prompt_tokens: script.usage.prompt, completion_tokens: script.usage.completion, total_tokens: script.usage.prompt + script.usage.completion };
    if (script.kind === 'json' || !req.stream) {
      const text = script.kind === 'json' ? script.text : script.chunks.map((c) => (typeof c === 'string' ? c : c.text)).join('');
      later(script.headerDelayMs ?? 0, res, () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id, object: 'chat.completion', created: 0, model, choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: script.finishReason ?? 'stop' }], usage }));
      });
      return;
    }
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({ id, object: 'chat.completion.chunk', created: 0, model, choices: [{ index: 0, delta, finish_reason: finish }] });
    const chunks = script.chunks.map((c) => (typeof c === 'string' ? { text: c } : c));
    const finish = (): void => {
      switch (script.end ?? 'done') {
        case 'cut': {
          // Cut once what was sent has left: the client holds the chunks, then loses the connection.
          cutByStub.add(res);
          const socket = res.socket;
          return void socket?.write('', () => socket.destroy());
        }
        case 'stall':
          return;
        case 'malformed':
          sse(res, '{"id": "broken", "choices": [');
          return void res.end();
        case 'error-event':
          sse(res, { error: { message: 'stub: the model crashed', type: 'server_error', code: null } });
          return void res.end();
        case 'no-done':
          return void res.end();
        case 'done': {
          sse(res, chunk({}, script.finishReason ?? 'stop'));
          const opts = req.body?.stream_options as { include_usage?: boolean } | undefined;
          if (usage && opts?.include_usage) sse(res, { id, object: 'chat.completion.chunk', created: 0, model, choices: [], usage });
          sse(res, '[DONE]');
          return void res.end();
        }
      }
    };
    const send = (i: number): void => {
      if (i === chunks.length) return finish();
      const c = chunks[i]!;
      const go = () =>
        later(c.delayMs ?? script.chunkDelayMs ?? 0, res, () => {
          sse(res, chunk({ content: c.text }));
          send(i + 1);
        });
      if (c.after) void c.after.then(go, go);
      else go();
    };
    later(script.headerDelayMs ?? 0, res, () => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      sse(res, chunk({ role: 'assistant', content: '' }));
      send(0);
    });
  }

  function route(req: StubRequest, res: ServerResponse): void {
    if (stub.apiKey !== undefined && req.authorization !== `Bearer ${stub.apiKey}`) {
      return answer(req, res, { kind: 'status', status: 401, body: { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' } } });
    }
    if (req.method === 'GET' && req.path === '/v1/models') {
      const s = modelsQueue.shift() ?? { kind: 'list' };
      if (s.kind !== 'list') return answer(req, res, s);
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ object: 'list', data: stub.models.map((m) => ({ id: m, object: 'model', created: 0, owned_by: 'stub' })) }));
    }
    if (req.method === 'POST' && req.path === '/v1/chat/completions') {
      const f = stub.fallback;
      const s = queue.shift() ?? (typeof f === 'function' ? f(req) : f) ?? { kind: 'status', status: 500, body: { error: { message: 'stub: no script queued for this request' } } };
      return answer(req, res, s);
    }
    answer(req, res, { kind: 'status', status: 404, body: { error: { message: `stub: no route ${req.method} ${req.path}` } } });
  }

  const server = createServer((msg: IncomingMessage, res: ServerResponse) => {
    const parts: Buffer[] = [];
    msg.on('data', (d: Buffer) => parts.push(d));
    msg.on('end', () => {
      let body: Record<string, unknown> | undefined;
      try {
        body = parts.length ? (JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>) : undefined;
      } catch {
        body = undefined;
      }
      const { authorization, ...headers } = msg.headers;
      let resolveClosed!: () => void;
      const req: StubRequest = {
        method: msg.method ?? '',
        path: (msg.url ?? '').split('?')[0]!,
        headers,
        authorization,
        body,
        model: typeof body?.model === 'string' ? body.model : undefined,
        messages: Array.isArray(body?.messages) ? (body.messages as StubRequest['messages']) : [],
        stream: body?.stream === true,
        clientClosed: false,
        closed: new Promise<void>((r) => (resolveClosed = r)),
      };
      res.on('close', () => {
        // Closed before the stub ended its answer, and not by a scripted cut: the client hung up.
        if (!res.writableEnded && !cutByStub.has(res) && !closing) req.clientClosed = true;
        resolveClosed();
      });
      stub.requests.push(req);
      arrivals.splice(0).forEach((r) => r());
      route(req, res);
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return Object.assign(stub, { port, baseUrl: `http://127.0.0.1:${port}/v1` });
}
