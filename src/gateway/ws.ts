/**
 * The WebSocket adapter at the gateway root. Trusted-proxy mode decides at the upgrade from the
 * upgrade request's headers; token and password modes decide on the `connect` frame. A refusal
 * completes the upgrade and closes at once with the reason code, so a browser can show it.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { REASONS, wireCode, type AuthFailure } from '../auth/reasons.js';
import type { Identity } from '../auth/types.js';
import {
  PROTOCOL_VERSION,
  connectParamsSchema,
  errorFrame,
  eventFrame,
  okFrame,
  parseRequestFrame,
  type RequestFrame,
  type ResponseError,
} from '../protocol/frames.js';
import { decide, logRejection, whenDecided, type Decision, type GatewayContext } from './context.js';
import { originAllowed } from './origin.js';
import { headersOf, peerOf } from './request.js';
import { callMethod } from './methods.js';
import type { PresenceChange } from './presence.js';

export interface WsLimits {
  maxPayloadBytes: number;
  handshakeTimeoutMs: number;
  tickIntervalMs: number;
  /** A client whose unsent data exceeds this is disconnected (slow reader). */
  maxBufferedBytes: number;
}

export const DEFAULT_WS_LIMITS: WsLimits = {
  maxPayloadBytes: 64 * 1024,
  handshakeTimeoutMs: 10_000,
  tickIntervalMs: 30_000,
  maxBufferedBytes: 1024 * 1024,
};

export interface Session {
  readonly connId: string;
  readonly ws: WebSocket;
  readonly peer: string;
  readonly connectedAt: number;
  /**
   * The upgrade request, kept only until `connect` succeeds (token and password modes decide on
   * it then); dropped afterwards so an idle session does not hold its request and headers.
   */
  upgradeReq: IncomingMessage | undefined;
  identity: Identity | undefined;
  /** Set at the upgrade in trusted-proxy mode. */
  preAuthorized: Identity | undefined;
  client: { name?: string; version?: string };
  timer: NodeJS.Timeout | undefined;
}

/**
 * The upgrade socket's error listener, one function for all: a closure created in `handleUpgrade`
 * would share that call's scope and keep its request (headers and all) alive for the whole session.
 */
function destroyOnError(this: Duplex): void {
  this.destroy();
}

export class WsGateway {
  readonly wss: WebSocketServer;
  readonly sessions = new Set<Session>();
  /** Connected sessions that asked for `presence` events in `connect`. */
  private readonly presenceSubscribers = new Set<Session>();
  /** Upgrade sockets waiting for a signed assertion to be verified. */
  private readonly pendingUpgrades = new Set<Duplex>();
  private closed = false;
  private readonly tick: NodeJS.Timeout;
  private readonly unsubscribe: () => void;

  constructor(private readonly ctx: GatewayContext, readonly limits: WsLimits = DEFAULT_WS_LIMITS) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxPayloadBytes, perMessageDeflate: false, clientTracking: false });
    this.tick = setInterval(() => this.broadcast(eventFrame('tick', { ts: ctx.now() })), limits.tickIntervalMs);
    this.tick.unref();
    this.unsubscribe = ctx.presence.onChange((c) => this.publishPresence(c));
  }

  /** The `upgrade` listener for the HTTP server(s). */
  handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', destroyOnError);
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const ctx = this.ctx;
    const peer = peerOf(req);
    let refusal: AuthFailure | undefined;
    const allowed = originAllowed({
      headers: headersOf(req),
      peerIsTrustedProxy: ctx.policy.trustedProxies.has(peer),
      allowedOrigins: ctx.resolved.config.gateway.controlUi.allowedOrigins,
    });
    let preAuthorized: Identity | undefined;
    if (!allowed) {
      refusal = { reason: 'origin_not_allowed' };
      logRejection(ctx, { reason: 'origin_not_allowed', peer, path: req.url ?? '/', surface: 'ws' });
    } else if (ctx.policy.mode === 'trusted-proxy' || ctx.policy.mode === 'none') {
      const d = decide(ctx, req, 'ws');
      if (d instanceof Promise) return this.upgradeWhenDecided(d, req, socket, head, peer);
      if (d.result.ok) preAuthorized = d.result.identity;
      else refusal = d.result.failure;
    }
    this.completeUpgrade(req, socket, head, peer, refusal, preAuthorized);
  };

  /**
   * Waits for assertion verification, then completes the upgrade. A client that hangs up
   * meanwhile, or a shutdown, ends the socket; nothing is left behind.
   */
  private upgradeWhenDecided(d: Promise<Decision>, req: IncomingMessage, socket: Duplex, head: Buffer, peer: string): void {
    this.pendingUpgrades.add(socket);
    const forget = () => this.pendingUpgrades.delete(socket);
    // After 'upgrade' Node leaves the socket unread, so a hang-up would go unnoticed until the
    // verdict. Read meanwhile: keep early bytes (bounded) for ws, and end on the client's FIN.
    const early: Buffer[] = [head];
    let earlyBytes = head.length;
    const onData = (chunk: Buffer) => {
      earlyBytes += chunk.length;
      if (earlyBytes > this.limits.maxPayloadBytes) socket.destroy();
      else early.push(chunk);
    };
    const onEnd = () => socket.destroy();
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('close', forget);
    whenDecided(
      d,
      ({ result }) => {
        forget();
        socket.off('close', forget);
        socket.off('end', onEnd);
        // ws attaches its own 'data' listener synchronously below, so no chunk falls between.
        socket.off('data', onData);
        if (this.closed || socket.destroyed) {
          socket.destroy();
          return;
        }
        const allHead = early.length === 1 ? head : Buffer.concat(early);
        this.completeUpgrade(req, socket, allHead, peer, result.ok ? undefined : result.failure, result.ok ? result.identity : undefined);
      },
      () => {
        forget();
        socket.destroy();
      },
    );
  }

  private completeUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, peer: string, refusal: AuthFailure | undefined, preAuthorized: Identity | undefined): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      if (refusal) {
        ws.close(REASONS[refusal.reason].closeCode, wireCode(refusal));
        return;
      }
      this.open(ws, req, peer, preAuthorized);
    });
  }

  private open(ws: WebSocket, req: IncomingMessage, peer: string, preAuthorized: Identity | undefined): void {
    const s: Session = {
      connId: randomUUID(),
      ws,
      peer,
      connectedAt: this.ctx.now(),
      upgradeReq: req,
      identity: undefined,
      preAuthorized,
      client: {},
      timer: undefined,
    };
    this.sessions.add(s);
    s.timer = setTimeout(() => this.refuse(s, undefined, { reason: 'handshake_timeout' }), this.limits.handshakeTimeoutMs);
    ws.on('message', (data, isBinary) => this.onMessage(s, data, isBinary));
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      clearTimeout(s.timer);
      s.upgradeReq = undefined;
      this.sessions.delete(s);
      this.presenceSubscribers.delete(s);
      if (s.identity) this.ctx.presence.remove(s.connId);
    });
  }

  private onMessage(s: Session, data: RawData, isBinary: boolean): void {
    if (isBinary) {
      this.send(s, errorFrame(null, { code: 'INVALID_FRAME', message: 'binary frames are not accepted; send JSON text' }));
      return;
    }
    const parsed = parseRequestFrame(data.toString());
    if (!parsed.ok) {
      this.send(s, errorFrame(parsed.id, { code: 'INVALID_FRAME', message: parsed.message }));
      return;
    }
    const frame = parsed.frame;
    if (!s.identity) {
      this.onConnect(s, frame);
      return;
    }
    if (frame.method === 'connect') {
      this.send(s, errorFrame(frame.id, { code: 'ALREADY_CONNECTED', message: 'this session is already connected' }));
      return;
    }
    const r = callMethod(this.ctx, this, s, frame);
    this.send(s, r.ok ? okFrame(frame.id, r.payload) : errorFrame(frame.id, r.error));
  }

  private onConnect(s: Session, frame: RequestFrame): void {
    if (frame.method !== 'connect') {
      this.refuse(s, frame.id, { reason: 'connect_required' }, 'CONNECT_REQUIRED');
      return;
    }
    const params = connectParamsSchema.safeParse(frame.params ?? {});
    if (!params.success) {
      const first = params.error.issues[0];
      this.send(s, errorFrame(frame.id, { code: 'INVALID_PARAMS', message: `invalid connect params${first ? ` at ${first.path.join('.') || '(root)'}: ${first.message}` : ''}` }));
      return;
    }
    if (params.data.protocol !== PROTOCOL_VERSION) {
      this.refuse(s, frame.id, { reason: 'protocol_unsupported' }, 'PROTOCOL_UNSUPPORTED');
      return;
    }
    let identity = s.preAuthorized;
    if (!identity) {
      const auth = params.data.auth ?? {};
      const d = decide(this.ctx, s.upgradeReq!, 'ws', { token: auth.token, password: auth.password });
      // Only a signed assertion makes a decision async, and trusted-proxy mode decides at the upgrade.
      if (d instanceof Promise) return void s.ws.terminate();
      const { result } = d;
      if (!result.ok) {
        this.refuse(s, frame.id, result.failure, 'UNAUTHORIZED');
        return;
      }
      identity = result.identity;
    }
    clearTimeout(s.timer);
    s.timer = undefined;
    s.upgradeReq = undefined;
    s.identity = identity;
    s.client = { name: params.data.client?.name, version: params.data.client?.version };
    this.send(
      s,
      okFrame(frame.id, {
        type: 'hello-ok',
        protocol: PROTOCOL_VERSION,
        identity,
        server: { version: this.ctx.version, connId: s.connId },
        policy: {
          maxPayloadBytes: this.limits.maxPayloadBytes,
          tickIntervalMs: this.limits.tickIntervalMs,
          authMode: this.ctx.policy.mode,
        },
      }),
    );
    if (params.data.subscribe?.includes('presence')) this.presenceSubscribers.add(s);
    this.ctx.presence.add({ connId: s.connId, user: identity.user, method: identity.method, client: s.client, since: new Date(s.connectedAt).toISOString() });
  }

  /** Replies with an error frame (when a request id is known) and closes with the reason code. */
  private refuse(s: Session, id: RequestFrame['id'] | undefined, failure: AuthFailure, code?: ResponseError['code']): void {
    const reason = wireCode(failure);
    if (id !== undefined && code) this.send(s, errorFrame(id, { code, reason, message: REASONS[failure.reason].message }));
    if (failure.reason === 'handshake_timeout' || failure.reason === 'connect_required' || failure.reason === 'protocol_unsupported') {
      logRejection(this.ctx, { reason, peer: s.peer, path: '/', surface: 'ws' });
    }
    s.ws.close(REASONS[failure.reason].closeCode, reason);
  }

  send(s: Session, frame: unknown): void {
    if (s.ws.readyState !== s.ws.OPEN) return;
    // A client that does not read must not make us buffer without limit.
    if (s.ws.bufferedAmount > this.limits.maxBufferedBytes) {
      s.ws.terminate();
      return;
    }
    s.ws.send(JSON.stringify(frame));
  }

  broadcast(frame: unknown): void {
    const text = JSON.stringify(frame);
    for (const s of this.sessions) if (s.identity) this.sendText(s, text);
  }

  /**
   * Presence goes only to sessions that subscribed in `connect`: sending every join and leave,
   * with the full list, to every client costs O(clients^2) as clients arrive, which 5,000 idle
   * clients turn into gigabytes. With no subscriber, not even the list is built.
   */
  private publishPresence(c: PresenceChange): void {
    if (this.presenceSubscribers.size === 0) return;
    const text = JSON.stringify(eventFrame('presence', { ...c, entries: this.ctx.presence.list() }));
    for (const s of this.presenceSubscribers) this.sendText(s, text);
  }

  private sendText(s: Session, text: string): void {
    if (s.ws.readyState !== s.ws.OPEN) return;
    if (s.ws.bufferedAmount > this.limits.maxBufferedBytes) s.ws.terminate();
    else s.ws.send(text);
  }

  /** Upgrades waiting for a signed assertion to be verified. */
  get pendingUpgradeCount(): number {
    return this.pendingUpgrades.size;
  }

  get connectedCount(): number {
    let n = 0;
    for (const s of this.sessions) if (s.identity) n++;
    return n;
  }

  /** Tells every client the gateway is going away, then closes with 1001. */
  shutdown(): void {
    this.closed = true;
    for (const socket of this.pendingUpgrades) socket.destroy();
    this.pendingUpgrades.clear();
    clearInterval(this.tick);
    this.unsubscribe();
    for (const s of this.sessions) {
      clearTimeout(s.timer);
      if (s.identity) this.send(s, eventFrame('shutdown', { reason: 'gateway shutting down' }));
      s.ws.close(1001, 'gateway_shutdown');
    }
  }

  /** Ends sockets that did not finish their close handshake. */
  terminateAll(): void {
    for (const s of this.sessions) s.ws.terminate();
  }
}
