/**
 * Figure 6's load client, in its own process. Commands (over IPC):
 *   fill:        writes a session of `messages` messages into the chat database at `file` (before the gateway opens it)
 *   compare:     the same stub read three ways, taking turns in blocks of rounds so that the machine's
 *                load falls on all three alike: directly with the `openai` SDK (the client the
 *                gateway itself uses), directly with a minimal reader (fetch, splitting the
 *                server-sent events by hand: what the SDK's own parsing costs), and through the
 *                gateway (chat.send, then `chat` events over a WebSocket); with `bareUrl`, also
 *                through a bare relay (bench/servers/bare-relay.js: the floor for any process in
 *                between). Time to the first delta over `rounds` requests, and deltas/s over one
 *                stream of `n` deltas (not through the bare relay)
 *   concurrent:  `connections` WebSockets (one person each) send `streams` messages in all at once;
 *                checks that every delta of every run arrives, in order, with seq 0, 1, 2, ...
 *   history:     chat.history of the filled session, `rounds` times: the newest page and a deep one
 */
import OpenAI from 'openai';
import WebSocket from 'ws';
import { ChatStore } from '../../dist/store/chat-sessions.js';
import { openStore } from '../../dist/store/open.js';
import { percentile } from '../lib/stats.js';
import { serve } from '../lib/worker.js';

const CONNECT = JSON.stringify({ type: 'req', id: 'c', method: 'connect', params: { protocol: 1, client: { name: 'mayros-bench', version: '1' } } });

/** A connected WebSocket with request/response and a chat-event hook. */
function connect(url, headers, localAddress) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, localAddress, perMessageDeflate: false });
    const pending = new Map();
    let next = 0;
    const client = {
      ws,
      /** @type {(p: any) => void} */
      onChat: () => {},
      request(method, params) {
        const id = `r${next++}`;
        ws.send(JSON.stringify({ type: 'req', id, method, params }));
        return new Promise((res) => pending.set(id, res));
      },
      close: () => ws.close(1000),
    };
    ws.on('open', () => ws.send(CONNECT));
    ws.on('message', (data) => {
      const f = JSON.parse(data.toString());
      if (f.type === 'event') {
        if (f.event === 'chat') client.onChat(f.payload);
        return;
      }
      if (f.id === 'c') return f.ok ? resolve(client) : reject(new Error(`connect refused: ${JSON.stringify(f.error)}`));
      const p = pending.get(f.id);
      pending.delete(f.id);
      p?.(f);
    });
    ws.on('error', reject);
    ws.on('close', (code, reason) => {
      const why = new Error(`connection closed ${code} ${reason.toString()}`);
      reject(why);
      for (const p of pending.values()) p({ ok: false, error: { message: why.message } });
      client.onChat({ closed: why.message });
    });
  });
}

/** The model's pieces in an event's delta ("t3 t4 " -> ["t3", "t4"]). */
const pieces = (delta) => delta.split(' ').filter(Boolean);

/** One streamed completion read by a minimal reader: ms to the first content delta, deltas, total ms. */
async function minimalOnce(baseUrl, content) {
  const t0 = performance.now();
  const res = await fetch(`${baseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm1', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content }] }) });
  let first = 0;
  let deltas = 0;
  let buf = '';
  const dec = new TextDecoder();
  for await (const part of res.body) {
    buf += dec.decode(part, { stream: true });
    let i;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const event = buf.slice(0, i);
      buf = buf.slice(i + 2);
      if (!event.startsWith('data: ') || event === 'data: [DONE]') continue;
      const c = JSON.parse(event.slice(6));
      if (c.choices[0]?.delta?.content) {
        if (deltas++ === 0) first = performance.now() - t0;
      }
    }
  }
  return { first, deltas, ms: performance.now() - t0 };
}

/** One streamed completion read directly through the `openai` SDK, as the gateway reads it. */
async function sdkOnce(sdk, content) {
  const t0 = performance.now();
  let first = 0;
  let deltas = 0;
  const chunks = await sdk.chat.completions.create({ model: 'm1', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content }] });
  for await (const c of chunks) {
    if (c.choices[0]?.delta?.content) {
      if (deltas++ === 0) first = performance.now() - t0;
    }
  }
  return { first, deltas, ms: performance.now() - t0 };
}

/** One chat.send through the gateway: ms to the first delta event, deltas, total ms; checks seq. */
function relayedOnce(c, content) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let first = 0;
    let deltas = 0;
    let seq = 0;
    let runId;
    c.onChat = (p) => {
      if (p.closed) return reject(new Error(p.closed));
      if (runId !== undefined && p.runId !== runId) return;
      if (p.seq !== seq++) return reject(new Error(`seq ${p.seq}, expected ${seq - 1}`));
      if (p.state === 'delta') {
        if (deltas === 0) first = performance.now() - t0;
        // One event may carry several of the model's pieces ("t0 t1 "): the gateway sends a burst together.
        deltas += pieces(p.delta).length;
      } else if (p.state === 'final') resolve({ first, deltas, ms: performance.now() - t0 });
      else reject(new Error(`run ended ${p.state} ${p.reason}`));
    };
    c.request('chat.send', { message: content, idempotencyKey: `k${Math.random()}` }).then((r) => {
      if (!r.ok) reject(new Error(`chat.send refused: ${JSON.stringify(r.error)}`));
      runId = r.payload.runId;
    });
  });
}

serve({
  fill(o) {
    const { db, file } = openStore(o.file);
    const store = new ChatStore(db, file);
    const s = store.createSession(o.owner, 'long');
    for (let i = 0; i < o.messages / 2; i++) {
      const r = store.beginRun(o.owner, { sessionKey: s.key, idempotencyKey: `fill-${i}`, text: `question ${i} `.repeat(8) });
      const a = store.startAnswer(r.run.runId, 'bench/m1');
      store.finishAnswer(a.id, { state: 'complete', text: `answer ${i} `.repeat(30), usage: { prompt: 10, completion: 30 } });
    }
    db.close();
    return { sessionKey: s.key };
  },

  async compare(o) {
    const sdk = new OpenAI({ baseURL: o.baseUrl, apiKey: 'no-key', maxRetries: 0, logLevel: 'off' });
    const c = await connect(o.url, o.headers, o.localAddress);
    const bare = o.bareUrl ? await connect(o.bareUrl, {}, o.localAddress) : undefined;
    try {
      /** @type {Record<string, (content: string) => Promise<{ first: number, deltas: number, ms: number }>>} */
      const readers = { sdk: (m) => sdkOnce(sdk, m), minimal: (m) => minimalOnce(o.baseUrl, m), relayed: (m) => relayedOnce(c, m), ...(bare && { bare: (m) => relayedOnce(bare, m) }) };
      const names = Object.keys(readers);
      const ttfd = Object.fromEntries(names.map((n) => [n, []]));
      const rates = Object.fromEntries(names.map((n) => [n, []]));
      // Blocks of `block` rounds per reader, the readers taking turns block by block: the load
      // of the machine falls on all of them alike, and each path is warm while it is measured (a
      // process that has just woken from idle runs the same code markedly slower on this kind of
      // machine, and the gateway, unlike the client and the model server, idles while the direct
      // readers run). The first `warmup` rounds of every block are not counted.
      const block = Math.max(1, Math.min(o.block, o.rounds));
      for (let b = 0; b * block < o.rounds; b++) {
        for (let k = 0; k < names.length; k++) {
          const n = names[(b + k) % names.length];
          const count = Math.min(block, o.rounds - b * block);
          for (let i = 0; i < o.warmup + count; i++) {
            const r = await readers[n](`bench:3:0:${o.thinkMs ?? 0}`);
            if (i >= o.warmup) ttfd[n].push(r.first);
          }
        }
      }
      for (let i = 0; i < o.rateRounds; i++) {
        for (let k = 0; k < names.length; k++) {
          const n = names[(i + k) % names.length];
          if (n === 'bare') continue;
          const r = await readers[n](`bench:${o.n}:0`);
          if (r.deltas !== o.n) throw new Error(`${n} stream: ${r.deltas} deltas of ${o.n}`);
          rates[n].push((r.deltas / r.ms) * 1000);
        }
      }
      return Object.fromEntries(names.map((n) => [n, { p50: percentile(ttfd[n], 50), p99: percentile(ttfd[n], 99), rate: percentile(rates[n], 50), rates: rates[n].map(Math.round), samples: ttfd[n].length }]));
    } finally {
      c.close();
      bare?.close();
    }
  },

  async concurrent(o) {
    const conns = [];
    for (let i = 0; i < o.connections; i++) conns.push(await connect(o.url, o.headersList[i], o.localAddresses[i % o.localAddresses.length]));
    try {
      const perConn = o.streams / o.connections;
      let lost = 0;
      let disorder = 0;
      let failed = 0;
      let deltas = 0;
      const t0 = performance.now();
      await Promise.all(
        conns.map(async (c) => {
          const runs = new Map();
          const done = new Promise((resolve) => {
            let ended = 0;
            c.onChat = (p) => {
              if (p.closed) {
                failed += perConn - ended;
                return resolve(undefined);
              }
              let r = runs.get(p.runId);
              if (!r) runs.set(p.runId, (r = { seq: 0, next: 0 }));
              if (p.seq !== r.seq++) disorder++;
              if (p.state === 'delta') {
                for (const piece of pieces(p.delta)) {
                  deltas++;
                  if (piece !== `t${r.next++}`) disorder++;
                }
                return;
              }
              if (p.state !== 'final') failed++;
              if (r.next !== o.n) lost += o.n - r.next;
              if (++ended === perConn) resolve(undefined);
            };
          });
          const sent = await Promise.all(Array.from({ length: perConn }, (_, j) => c.request('chat.send', { message: `bench:${o.n}:${o.delayMs}`, idempotencyKey: `cc-${j}-${Math.random()}` })));
          for (const s of sent) if (!s.ok) throw new Error(`chat.send refused: ${JSON.stringify(s.error)}`);
          await done;
        }),
      );
      return { streams: o.streams, expected: o.streams * o.n, deltas, lost, disorder, failed, ms: performance.now() - t0 };
    } finally {
      for (const c of conns) c.close();
    }
  },

  async history(o) {
    const c = await connect(o.url, o.headers, o.localAddress);
    try {
      const newest = [];
      const deep = [];
      let before;
      for (let i = 0; i < o.warmup + o.rounds; i++) {
        let t = performance.now();
        const r = await c.request('chat.history', { sessionKey: o.sessionKey });
        const a = performance.now() - t;
        if (!r.ok || r.payload.messages.length !== 50) throw new Error(`chat.history: ${JSON.stringify(r.error ?? r.payload.messages.length)}`);
        before = Math.floor(r.payload.before / 2);
        t = performance.now();
        const d = await c.request('chat.history', { sessionKey: o.sessionKey, before });
        const b = performance.now() - t;
        if (!d.ok || d.payload.messages.length !== 50) throw new Error('chat.history (deep page) failed');
        if (i >= o.warmup) {
          newest.push(a);
          deep.push(b);
        }
      }
      return { newestP50: percentile(newest, 50), newestP99: percentile(newest, 99), deepP50: percentile(deep, 50), deepP99: percentile(deep, 99), samples: newest.length };
    } finally {
      c.close();
    }
  },
});
