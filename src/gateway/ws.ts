/**
 * The WebSocket adapter at the gateway root. Trusted-proxy mode decides at the upgrade from the
 * upgrade request's headers; token and password modes decide on the `connect` frame. A refusal
 * completes the upgrade and closes at once with the reason code, so a browser can show it.
 * Every upgrade and every frame reads the configuration generation once and uses only that.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer, RawData } from 'ws';
import type { Refusal } from '../auth/reasons.js';
import { frameError, REASONS, wireCode } from '../protocol/reasons.js';
import type { Identity } from '../protocol/identity.js';
import { PROTOCOL_VERSION, connectParamsSchema, errorFrame, eventFrame, okFrame, parseRequestFrame, type RequestFrame, type ResponseError } from '../protocol/frames.js';
import { decide, logRejection, whenDecided, type Decision, type GatewayContext } from './context.js';
import type { Generation } from '../reload/generation.js';
import type { RecheckReport } from '../reload/reloader.js';
import type { WsLimits } from '../config/limits.js';
import { TokenBucket } from './token-bucket.js';
import { LogLimiter } from './log.js';
import { originAllowed } from '../auth/origin.js';
import { shownHost } from '../auth/host.js';
import { AddressCounts, checkAddress, clientKeyOf } from './address-caps.js';
import { PresenceFanout } from './presence-fanout.js';
import { recheckSession, type RecheckVerdict } from './recheck.js';
import { headersCut, headersOf, peerOf } from './request.js';
import { METHODS } from '../methods/index.js';
import type { GatewayFacts, MethodContext, MethodResult } from '../methods/registry.js';
import { captureHeaders, EXPIRY_SWEEP_MS, expireDue, scheduleExpiry, type Session } from './session.js';
import { serializeFrame } from './serialize.js';
import { createWsServer, ownCloseReason } from './socket.js';
import { refuseRaw } from './http/raw-refusal.js';

export type { Session } from './session.js';

interface CloseOptions {
  /** Request id to answer with an error frame (the row's wsError) before closing. */
  id?: RequestFrame['id'];
  /** Log line to write; omitted when the decision already logged it. */
  event?: 'auth_rejected' | 'session_revoked' | 'session_closed';
  detail?: Record<string, unknown>;
}

export class WsGateway {
  readonly sessions = new Set<Session>();
  /** Upgrade sockets waiting for a signed assertion to be verified. */
  private readonly pendingUpgrades = new Set<Duplex>();
  private closed = false;
  /** Upgraded sockets: sessions plus refusals still closing. */
  private sockets = 0;
  /**
   * One listener for every socket: a closure created in completeUpgrade would share that call's
   * scope and keep its request (headers and all) alive for the whole session.
   */
  private readonly socketClosed = (): void => {
    this.sockets--;
  };
  /** Sessions that have not completed `connect`. */
  private pending = 0;
  /** The same counts per client address, for the per-address caps. */
  readonly addresses = new AddressCounts();
  private server: WebSocketServer;
  private serverBytes: number;
  private readonly tick: NodeJS.Timeout;
  /** The one session-age sweep (see expireDue). */
  private readonly sweep: NodeJS.Timeout;
  private readonly fanout: PresenceFanout;
  /** Sign-in lines: as many as the rejection log allows, counted apart from it. */
  private readonly signInLog: LogLimiter;

  /** What methods may read of the gateway (one object; every read is live). */
  private readonly facts: GatewayFacts;

  constructor(private readonly ctx: GatewayContext) {
    const gw = this;
    this.facts = {
      get version() {
        return ctx.version;
      },
      get startedAt() {
        return ctx.startedAt;
      },
      now: () => ctx.now(),
      get port() {
        return ctx.port;
      },
      get generation() {
        return ctx.generation;
      },
      get clients() {
        return gw.connectedCount;
      },
      presence: ctx.presence,
    };
    const limits = ctx.generation.limits;
    this.serverBytes = limits.maxPayloadBytes;
    this.server = createWsServer(this.serverBytes);
    this.tick = setInterval(() => this.broadcast(eventFrame('tick', { ts: ctx.now() })), limits.tickIntervalMs);
    this.tick.unref();
    this.sweep = setInterval(() => expireDue(this.sessions, ctx.now(), this.expire), EXPIRY_SWEEP_MS);
    this.sweep.unref();
    this.fanout = new PresenceFanout(ctx.presence, (payload) => this.broadcast(eventFrame('presence', payload)));
    this.signInLog = new LogLimiter(undefined, undefined, () => ctx.now());
  }

  /** The limits in force (the current generation's). */
  get limits(): WsLimits {
    return this.ctx.generation.limits;
  }

  /** ws copies maxPayload into each socket at the upgrade, so a new size needs a new server. */
  private serverFor(gen: Generation): WebSocketServer {
    if (gen.limits.maxPayloadBytes !== this.serverBytes) {
      this.serverBytes = gen.limits.maxPayloadBytes;
      this.server = createWsServer(this.serverBytes);
    }
    return this.server;
  }

  /** The `upgrade` listener for the HTTP server(s). */
  handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    // A header list Node may have cut is never decided on (see headersCut).
    if (headersCut(req)) return refuseRaw(socket, 'request_headers_too_many');
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/') return refuseRaw(socket, 'not_found');
    const ctx = this.ctx;
    const gen = ctx.generation;
    const limits = gen.limits;
    const peer = peerOf(req);
    const at = ctx.now();
    const headers = headersOf(req, gen.policy, 'ws');
    // The client address the per-address caps count (undefined: only the global caps apply).
    const key = clientKeyOf(headers, peer, gen.policy);
    const client = key ?? peer;
    const byAddress = checkAddress(this.addresses.get(key), limits);
    const verifying = this.pendingUpgrades.size;
    // Past every cap and the refusals still closing: drop without spending anything on it.
    if (this.sockets + verifying >= limits.maxConnections + limits.maxUnauthenticated || byAddress === 'drop') {
      logRejection(ctx, { reason: byAddress === 'drop' ? 'too_many_connections_per_address' : 'too_many_connections', peer, client, path: '/', surface: 'ws' });
      socket.destroy();
      return;
    }
    let refusal: Refusal | undefined;
    let claimedUser: string | undefined;
    let preAuthorized: Identity | undefined;
    // One address past its own caps is refused first, whatever room the others leave.
    if (byAddress) refusal = { reason: byAddress };
    // Upgrades still being verified count as sessions that have not connected.
    else if (this.sessions.size + verifying >= limits.maxConnections) refusal = { reason: 'too_many_connections' };
    else if (this.pending + verifying >= limits.maxUnauthenticated) refusal = { reason: 'too_many_unauthenticated' };
    else if (!gen.hosts.allows(headers['host'])) refusal = { reason: 'host_not_allowed' };
    else if (!originAllowed({ headers, peerIsTrustedProxy: gen.policy.trustedProxies.has(peer), allowedOrigins: gen.resolved.config.gateway.controlUi.allowedOrigins })) {
      refusal = { reason: 'origin_not_allowed' };
    }
    if (refusal) {
      logRejection(ctx, { reason: refusal.reason, peer, client, path: req.url ?? '/', surface: 'ws', ...(refusal.reason === 'host_not_allowed' && { detail: shownHost(headers['host']) }) });
    } else if (gen.policy.decidesAt === 'upgrade') {
      const d = decide(ctx, req, 'ws', undefined, gen);
      if (d instanceof Promise) return this.upgradeWhenDecided(d, req, socket, head, peer, key, gen, at);
      if (d.result.ok) preAuthorized = d.result.identity;
      else {
        refusal = d.result.failure;
        claimedUser = d.claimedUser;
      }
    }
    this.completeUpgrade(req, socket, head, peer, key, refusal, preAuthorized, gen, at, claimedUser);
  };

  /**
   * Waits for assertion verification, then completes the upgrade. A client that hangs up
   * meanwhile, or a shutdown, ends the socket; nothing is left behind.
   */
  private upgradeWhenDecided(d: Promise<Decision>, req: IncomingMessage, socket: Duplex, head: Buffer, peer: string, key: string | undefined, gen: Generation, at: number): void {
    this.pendingUpgrades.add(socket);
    this.addresses.add(key, 'verifying', 1);
    let waiting = true;
    const forget = () => {
      if (!waiting) return;
      waiting = false;
      this.pendingUpgrades.delete(socket);
      this.addresses.add(key, 'verifying', -1);
    };
    // After 'upgrade' Node leaves the socket unread, so a hang-up would go unnoticed until the
    // verdict. Read meanwhile: keep early bytes (bounded) for ws, and end on the client's FIN.
    const early: Buffer[] = [head];
    let earlyBytes = head.length;
    const onData = (chunk: Buffer) => {
      earlyBytes += chunk.length;
      if (earlyBytes > gen.limits.maxPayloadBytes) socket.destroy();
      else early.push(chunk);
    };
    const onEnd = () => socket.destroy();
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('close', forget);
    whenDecided(
      d,
      ({ result, claimedUser }) => {
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
        this.completeUpgrade(req, socket, allHead, peer, key, result.ok ? undefined : result.failure, result.ok ? result.identity : undefined, gen, at, claimedUser);
      },
      () => {
        forget();
        socket.destroy();
      },
    );
  }

  private completeUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, peer: string, key: string | undefined, refusal: Refusal | undefined, preAuthorized: Identity | undefined, gen: Generation, at: number, claimedUser?: string): void {
    this.serverFor(this.ctx.generation).handleUpgrade(req, socket, head, (ws) => {
      this.sockets++;
      ws.once('close', this.socketClosed);
      if (key !== undefined) {
        this.addresses.add(key, 'sockets', 1);
        ws.once('close', this.addressSocketClosed(key));
      }
      if (refusal) {
        ws.on('error', () => undefined);
        const code = wireCode(refusal);
        // Whose sign-in was refused, for the person (the close reason has room for the code only).
        if (claimedUser !== undefined) ws.send(JSON.stringify(eventFrame('refused', { reason: code, claimedUser })));
        ws.close(REASONS[refusal.reason].closeCode, code);
        return;
      }
      this.open(ws, req, peer, key, preAuthorized, gen, at);
    });
  }

  /** Made here, not in completeUpgrade, so the listener keeps only the key (not the request) alive. */
  private addressSocketClosed(key: string): () => void {
    return () => this.addresses.add(key, 'sockets', -1);
  }

  private open(ws: WebSocket, req: IncomingMessage, peer: string, key: string | undefined, preAuthorized: Identity | undefined, gen: Generation, at: number): void {
    const now = this.ctx.now();
    const s: Session = {
      connId: randomUUID(),
      ws,
      peer,
      addressKey: key,
      connectedAt: now,
      identity: undefined,
      preAuthorized,
      client: {},
      timer: undefined,
      expiresAt: 0,
      facts: { peer, at, headers: captureHeaders(headersOf(req, gen.policy, 'ws'), gen.policy) },
      bucket: new TokenBucket(gen.limits.frameBurst, now),
      req,
      closing: false,
    };
    this.sessions.add(s);
    this.pending++;
    this.addresses.add(key, 'sessions', 1);
    this.addresses.add(key, 'pending', 1);
    s.timer = setTimeout(() => {
      // After a stalled event loop, timers run before pending socket reads: give a connect frame
      // that has already arrived one I/O round to be read before timing the client out.
      setImmediate(() => {
        if (!s.identity && !s.closing) this.closeSession(s, { reason: 'handshake_timeout' }, { event: 'auth_rejected' });
      });
    }, gen.limits.handshakeTimeoutMs);
    scheduleExpiry(s, gen.sessionMaxAgeMs);
    ws.on('message', (data, isBinary) => this.onMessage(s, data, isBinary));
    ws.on('error', (err: Error & { code?: string }) => {
      // ws has already sent the close frame (1009 for an oversized message, 1002 or 1007 for a malformed one); just record it.
      const reason = ownCloseReason(err);
      if (reason) this.logClose(s, 'session_closed', { reason });
      s.closing = true;
    });
    ws.on('close', () => {
      clearTimeout(s.timer);
      this.sessions.delete(s);
      this.addresses.add(s.addressKey, 'sessions', -1);
      if (s.identity) this.ctx.presence.remove(s.connId);
      else {
        this.pending--;
        this.addresses.add(s.addressKey, 'pending', -1);
      }
      s.req = undefined;
    });
    // A reload may have landed while this upgrade was being decided.
    if (this.ctx.generation !== gen) void this.recheck(s, this.ctx.generation);
  }

  private onMessage(s: Session, data: RawData, isBinary: boolean): void {
    if (s.closing) return;
    const gen = this.ctx.generation;
    if (!s.bucket.take(this.ctx.now(), gen.limits.maxFramesPerSecond, gen.limits.frameBurst)) {
      this.closeSession(s, { reason: 'frame_rate_exceeded' }, { event: 'session_closed' });
      return;
    }
    if (isBinary) {
      this.send(s, errorFrame(null, frameError('invalid_frame', 'binary frames are not accepted; send JSON text')));
      return;
    }
    const parsed = parseRequestFrame(data.toString());
    if (!parsed.ok) {
      this.send(s, errorFrame(parsed.id, frameError('invalid_frame', parsed.message)));
      return;
    }
    const frame = parsed.frame;
    if (!s.identity) {
      this.onConnect(s, frame, gen);
      return;
    }
    if (frame.method === 'connect') {
      this.send(s, errorFrame(frame.id, frameError('already_connected', 'this session is already connected')));
      return;
    }
    const identity = s.identity;
    const call: MethodContext = {
      session: { connId: s.connId, identity },
      gateway: this.facts,
      emit: (event, payload) => this.send(s, eventFrame(event, payload)),
      emitTo: (who, event, payload) => this.emitTo(who, event, payload),
    };
    const r = METHODS.invoke(frame.method, frame.params, call);
    if (r instanceof Promise) void r.then((done) => this.reply(s, frame.id, done));
    else this.reply(s, frame.id, r);
  }

  private reply(s: Session, id: RequestFrame['id'], r: MethodResult): void {
    this.send(s, r.ok ? okFrame(id, r.payload) : errorFrame(id, r.error));
  }

  /** Sends an event to every open session of `who` (the same user, signed in the same way). */
  private emitTo(who: Identity, event: string, payload: unknown): void {
    for (const s of this.sessions) {
      if (s.identity && s.identity.user === who.user && s.identity.method === who.method) this.send(s, eventFrame(event, payload));
    }
  }

  private onConnect(s: Session, frame: RequestFrame, gen: Generation): void {
    if (frame.method !== 'connect') {
      this.closeSession(s, { reason: 'connect_required' }, { id: frame.id, event: 'auth_rejected' });
      return;
    }
    const params = connectParamsSchema.safeParse(frame.params ?? {});
    if (!params.success) {
      const first = params.error.issues[0];
      this.send(s, errorFrame(frame.id, frameError('invalid_params', `invalid connect params${first ? ` at ${first.path.join('.') || '(root)'}: ${first.message}` : ''}`)));
      return;
    }
    if (params.data.protocol !== PROTOCOL_VERSION) {
      this.closeSession(s, { reason: 'protocol_unsupported' }, { id: frame.id, event: 'auth_rejected' });
      return;
    }
    let identity = s.preAuthorized;
    if (!identity) {
      const auth = params.data.auth ?? {};
      const credentials = { token: auth.token, password: auth.password };
      const d = decide(this.ctx, s.req!, 'ws', credentials, gen);
      // Only a signed assertion makes a decision async, and trusted-proxy mode decides at the upgrade.
      if (d instanceof Promise) return void s.ws.terminate();
      const { result } = d;
      if (!result.ok) {
        this.closeSession(s, result.failure, { id: frame.id });
        return;
      }
      identity = result.identity;
      s.facts.credentials = credentials;
    }
    clearTimeout(s.timer);
    s.timer = undefined;
    s.identity = identity;
    s.req = undefined;
    this.pending--;
    this.addresses.add(s.addressKey, 'pending', -1);
    s.client = { name: params.data.client?.name, version: params.data.client?.version };
    scheduleExpiry(s, gen.sessionMaxAgeMs);
    this.send(
      s,
      okFrame(frame.id, {
        type: 'hello-ok',
        protocol: PROTOCOL_VERSION,
        identity,
        server: { version: this.ctx.version, connId: s.connId },
        policy: { maxPayloadBytes: gen.limits.maxPayloadBytes, tickIntervalMs: gen.limits.tickIntervalMs, authMode: gen.policy.mode },
      }),
    );
    this.ctx.presence.add({ connId: s.connId, user: identity.user, method: identity.method, client: s.client, since: new Date(s.connectedAt).toISOString() });
    this.logSignIn(s, identity);
  }

  /** One line per admitted session, through its own limiter so a connect flood cannot fill the log. */
  private logSignIn(s: Session, identity: Identity): void {
    const suppressed = this.signInLog.take();
    if (suppressed < 0) return;
    this.ctx.logger.info(
      { event: 'session_opened', connId: s.connId, peer: s.peer, user: identity.user, method: identity.method, client: s.client.name, ...(suppressed ? { suppressed } : {}) },
      'signed in',
    );
  }

  private readonly expire = (s: Session): void => this.closeSession(s, { reason: 'session_expired' }, { event: 'session_closed' });

  /** Answers `id` with an error frame when given, logs, and closes with the reason's code. */
  private closeSession(s: Session, failure: Refusal, opts: CloseOptions = {}): void {
    if (s.closing) return;
    s.closing = true;
    clearTimeout(s.timer);
    const reason = wireCode(failure);
    const row = REASONS[failure.reason];
    if (opts.id !== undefined && row.wsError && s.ws.readyState === s.ws.OPEN) {
      s.ws.send(JSON.stringify(errorFrame(opts.id, { code: row.wsError, reason, message: row.message })));
    }
    if (opts.event === 'auth_rejected') logRejection(this.ctx, { reason, peer: s.peer, path: '/', surface: 'ws' });
    else if (opts.event) this.logClose(s, opts.event, { reason, ...opts.detail });
    s.ws.close(row.closeCode, reason);
  }

  private logClose(s: Session, event: string, fields: Record<string, unknown>): void {
    const suppressed = this.ctx.rejectLog.take();
    if (suppressed < 0) return;
    const user = s.identity?.user ?? s.preAuthorized?.user ?? null;
    this.ctx.logger.warn({ event, connId: s.connId, peer: s.peer, user, ...fields, ...(suppressed ? { suppressed } : {}) }, 'websocket session closed');
  }

  /** Sends a frame, or closes a client that has stopped reading (its unsent data is over the cap). */
  send(s: Session, frame: unknown): void {
    if (s.closing || s.ws.readyState !== s.ws.OPEN) return;
    if (this.overBuffered(s)) return;
    s.ws.send(serializeFrame(frame as Record<string, unknown>));
  }

  broadcast(frame: unknown): void {
    // Encoded once: ws would otherwise convert the string for every recipient.
    const data = Buffer.from(JSON.stringify(frame));
    for (const s of this.sessions) {
      if (!s.identity || s.closing || s.ws.readyState !== s.ws.OPEN || this.overBuffered(s)) continue;
      s.ws.send(data, { binary: false });
    }
  }

  private overBuffered(s: Session): boolean {
    const buffered = s.ws.bufferedAmount;
    if (buffered <= this.ctx.generation.limits.maxBufferedBytes) return false;
    // The close frame queues behind the backlog; ws destroys the socket if it is not answered.
    this.closeSession(s, { reason: 'slow_consumer' }, { event: 'session_closed', detail: { bufferedBytes: buffered } });
    return true;
  }

  /**
   * Re-checks every open session against `gen`; refused ones are closed with the reason code.
   * Plain decisions are applied before this returns its promise; signed assertions as their
   * verification ends.
   */
  async recheckAll(gen: Generation): Promise<RecheckReport> {
    const report: RecheckReport = { checked: 0, closed: 0, byReason: {} };
    const tally = (reason: string | undefined) => {
      if (!reason) return;
      report.closed++;
      report.byReason[reason] = (report.byReason[reason] ?? 0) + 1;
    };
    const waits: Array<Promise<void>> = [];
    for (const s of [...this.sessions]) {
      if (s.closing) continue;
      report.checked++;
      const r = this.recheck(s, gen);
      if (r instanceof Promise) waits.push(r.then(tally));
      else tally(r);
    }
    await Promise.all(waits);
    return report;
  }

  private recheck(s: Session, gen: Generation): string | undefined | Promise<string | undefined> {
    const apply = (verdict: RecheckVerdict): string | undefined => {
      // A newer generation re-checks it itself; a session already closing needs nothing.
      if (this.ctx.generation !== gen || s.closing) return undefined;
      if (!verdict.keep) {
        this.closeSession(s, verdict.failure, { event: 'session_revoked', detail: { generation: gen.n } });
        return wireCode(verdict.failure);
      }
      if (!s.identity) s.preAuthorized = verdict.preAuthorized;
      scheduleExpiry(s, gen.sessionMaxAgeMs);
      return undefined;
    };
    const verdict = recheckSession(s.facts, s.identity !== undefined, gen);
    return verdict instanceof Promise ? verdict.then(apply) : apply(verdict);
  }

  get connectedCount(): number {
    return this.sessions.size - this.pending;
  }

  /** Sessions that have not completed `connect`. */
  get pendingCount(): number {
    return this.pending;
  }

  /** Upgrades waiting for a signed assertion to be verified. */
  get pendingUpgradeCount(): number {
    return this.pendingUpgrades.size;
  }

  /** Tells every client the gateway is going away, then closes with 1001. */
  shutdown(): void {
    this.closed = true;
    for (const socket of this.pendingUpgrades) socket.destroy();
    this.pendingUpgrades.clear();
    clearInterval(this.tick);
    clearInterval(this.sweep);
    this.fanout.close();
    for (const s of this.sessions) {
      clearTimeout(s.timer);
      if (s.identity) this.send(s, eventFrame('shutdown', { reason: 'gateway shutting down' }));
      s.closing = true;
      s.ws.close(REASONS.gateway_shutdown.closeCode, 'gateway_shutdown');
    }
  }

  /** Ends sockets that did not finish their close handshake. */
  terminateAll(): void {
    for (const s of this.sessions) s.ws.terminate();
  }
}
