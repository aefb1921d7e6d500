/**
 * The Control UI's WebSocket session: opens the socket on the page's own origin, sends
 * `connect`, matches replies to requests, and tells apart a refusal (stop and explain) from a
 * lost connection (reconnect with backoff).
 */
import { CLIENT_NAME, type EventFrame, type HelloOk, type Reply, type ResponseFrame } from './protocol.js';
import { isRefusalClose } from '../../src/protocol/reasons.js';

/** Credentials sent in `connect`; unused fields are left out. */
export interface Credentials {
  token?: string;
  password?: string;
}

export type ConnState =
  | { kind: 'connecting'; attempt: number }
  | { kind: 'connected'; hello: HelloOk }
  | { kind: 'reconnecting'; attempt: number; retryAt: number; lastCode: number; lastReason: string }
  /**
   * The gateway said no: `wire` is the reason code from the close frame or the connect reply;
   * `claimedUser` the user the proxy signed in, when the gateway said whose sign-in it refused.
   */
  | { kind: 'refused'; wire: string; closeCode: number; claimedUser?: string };

export interface ClientOptions {
  url: string;
  version: string;
  credentials: () => Credentials;
  onState: (s: ConnState) => void;
  onEvent: (e: EventFrame) => void;
  /** Backoff bounds, in ms. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

/** The WebSocket URL for a page: same host and path directory, ws: for http:, wss: for https:. */
export function socketUrl(loc: Pick<Location, 'href' | 'protocol'>): string {
  const u = new URL('./', loc.href);
  u.protocol = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  u.hash = '';
  u.search = '';
  return u.href;
}

/** Delay before reconnect attempt `n` (1-based): doubling from min to max, with +-20% jitter. */
export function backoffDelay(n: number, minMs: number, maxMs: number, random: () => number = Math.random): number {
  const base = Math.min(maxMs, minMs * 2 ** Math.max(0, n - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

export class GatewayClient {
  private ws: WebSocket | undefined;
  private nextId = 1;
  private readonly pending = new Map<string, (r: Reply<unknown>) => void>();
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  /** The reason from an UNAUTHORIZED connect reply, which arrives just before the close. */
  private connectRefusal: string | undefined;
  /** From a `refused` event, which arrives just before the close of a trusted-proxy refusal. */
  private refusedUser: string | undefined;
  state: ConnState = { kind: 'connecting', attempt: 1 };

  constructor(private readonly opts: ClientOptions) {}

  /** Opens the first connection (or a new one after a refusal, e.g. with a pasted token). */
  start(): void {
    this.stopped = false;
    this.attempt = 0;
    clearTimeout(this.timer);
    this.open();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.ws?.close(1000, 'bye');
    this.ws = undefined;
  }

  /** Sends a request; resolves with the reply, or with a synthetic error if the socket drops. */
  request<T>(method: string, params?: unknown): Promise<Reply<T>> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN || this.state.kind !== 'connected') {
      return Promise.resolve({ ok: false, error: { code: 'INTERNAL', message: 'not connected' } });
    }
    const id = String(this.nextId++);
    return new Promise((resolve) => {
      this.pending.set(id, resolve as (r: Reply<unknown>) => void);
      ws.send(JSON.stringify({ type: 'req', id, method, params }));
    });
  }

  private setState(s: ConnState): void {
    this.state = s;
    this.opts.onState(s);
  }

  private open(): void {
    this.attempt++;
    this.connectRefusal = undefined;
    this.refusedUser = undefined;
    this.setState({ kind: 'connecting', attempt: this.attempt });
    const ws = new WebSocket(this.opts.url);
    this.ws = ws;
    ws.onopen = () => {
      const auth = this.opts.credentials();
      const id = String(this.nextId++);
      this.pending.set(id, (r) => this.onHello(r));
      const params = { protocol: 1, client: { name: CLIENT_NAME, version: this.opts.version }, auth };
      ws.send(JSON.stringify({ type: 'req', id, method: 'connect', params }));
    };
    ws.onmessage = (ev) => this.onMessage(ev.data);
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.failPending();
      this.onClose(ev.code, ev.reason);
    };
  }

  private onHello(r: Reply<unknown>): void {
    if (r.ok) {
      this.attempt = 0;
      this.setState({ kind: 'connected', hello: r.payload as HelloOk });
    } else if (r.error.reason) {
      this.connectRefusal = r.error.reason;
    }
  }

  private onMessage(data: unknown): void {
    if (typeof data !== 'string') return;
    let frame: ResponseFrame | EventFrame;
    try {
      frame = JSON.parse(data) as ResponseFrame | EventFrame;
    } catch {
      return;
    }
    if (frame.type === 'res') {
      const key = String(frame.id);
      const resolve = this.pending.get(key);
      if (!resolve) return;
      this.pending.delete(key);
      resolve(frame.ok ? { ok: true, payload: frame.payload } : { ok: false, error: frame.error });
    } else if (frame.type === 'event' && frame.event === 'refused') {
      const user = (frame.payload as { claimedUser?: unknown } | undefined)?.claimedUser;
      if (typeof user === 'string' && user) this.refusedUser = user;
    } else if (frame.type === 'event') {
      this.opts.onEvent(frame);
    }
  }

  private failPending(): void {
    for (const resolve of this.pending.values()) resolve({ ok: false, error: { code: 'INTERNAL', message: 'connection closed' } });
    this.pending.clear();
  }

  private onClose(code: number, reason: string): void {
    if (this.stopped) return;
    const wire = this.connectRefusal ?? (isRefusalClose(code, reason) ? reason : undefined);
    if (wire) {
      this.setState({ kind: 'refused', wire, closeCode: code, ...(this.refusedUser !== undefined && { claimedUser: this.refusedUser }) });
      return;
    }
    const delay = backoffDelay(this.attempt, this.opts.minDelayMs ?? 1000, this.opts.maxDelayMs ?? 30_000);
    this.setState({ kind: 'reconnecting', attempt: this.attempt + 1, retryAt: Date.now() + delay, lastCode: code, lastReason: reason });
    this.timer = setTimeout(() => this.open(), delay);
  }
}
