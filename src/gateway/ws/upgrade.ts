/**
 * The upgrade: a WebSocket request at the gateway root is admitted (admission.ts), decided when
 * the policy decides at the upgrade (holding the socket while a signed assertion is verified),
 * then upgraded. A refusal completes the upgrade and closes at once with the reason code, so a
 * browser can show it; an admitted upgrade opens a session. Every upgrade reads the configuration
 * generation once and uses only that.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { shownHost } from '../../auth/host.js';
import type { Refusal } from '../../auth/reasons.js';
import type { HeaderMap } from '../../auth/types.js';
import { eventFrame } from '../../protocol/frames.js';
import type { Identity } from '../../protocol/identity.js';
import { NO_SCOPES } from '../../protocol/scopes.js';
import { REASONS, wireCode } from '../../protocol/reasons.js';
import type { Generation } from '../../reload/generation.js';
import { decide, logRejection, whenDecided, type Decision } from '../context.js';
import { refuseRaw } from '../http/raw-refusal.js';
import { currentVia, headersCut, headersOf, viaOf } from '../request.js';
import { fromTrustedProxy } from '../../auth/source.js';
import { peerLabel, type Via } from '../../net/transport.js';
import { TokenBucket } from '../token-bucket.js';
import { clientKeyOf } from './address-caps.js';
import { admit } from './admission.js';
import { closeSession, logClose } from './close.js';
import { onMessage } from './dispatch.js';
import { recheckOne } from './recheck.js';
import { captureHeaders, scheduleExpiry, type Session } from './session.js';
import { createWsServer, ownCloseReason } from './socket.js';
import type { WsState } from './state.js';

/** What an upgrade was admitted on, carried to the session it opens. */
interface Upgrade {
  req: IncomingMessage;
  via: Via;
  peer: string;
  /** The client address the per-address caps count it under (undefined: only the global caps). */
  key: string | undefined;
  headers: HeaderMap;
  gen: Generation;
  /** When it was decided (gateway clock). */
  at: number;
}

/** The `upgrade` listener for the HTTP server(s). */
export function handleUpgrade(st: WsState, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on('error', () => socket.destroy());
  // A header list Node may have cut is never decided on (see headersCut).
  if (headersCut(req)) return refuseRaw(socket, 'request_headers_too_many');
  const path = (req.url ?? '/').split('?')[0];
  if (path !== '/') return refuseRaw(socket, 'not_found');
  const ctx = st.ctx;
  const gen = ctx.generation;
  const via = currentVia(viaOf(req), gen.tls?.anchors);
  const peer = peerLabel(via);
  const headers = headersOf(req, gen.policy, 'ws');
  const key = clientKeyOf(headers, via, gen.policy);
  const client = key ?? peer;
  const u: Upgrade = { req, via, peer, key, headers, gen, at: ctx.now() };
  const admission = admit({
    sockets: st.sockets,
    sessions: st.sessions.size,
    pending: st.pending,
    verifying: st.pendingUpgrades.size,
    address: st.addresses.get(key),
    limits: gen.limits,
    headers,
    hosts: gen.hosts,
    peerIsTrustedProxy: fromTrustedProxy(via, gen.policy),
    allowedOrigins: gen.resolved.config.gateway.controlUi.allowedOrigins,
    decidesAt: gen.policy.decidesAt,
  });
  if (admission.kind === 'drop') {
    logRejection(ctx, { reason: admission.reason, peer, client, path: '/', surface: 'ws' });
    socket.destroy();
    return;
  }
  if (admission.kind === 'refuse') {
    const reason = admission.reason;
    logRejection(ctx, { reason, peer, client, path: req.url ?? '/', surface: 'ws', ...(reason === 'host_not_allowed' && { detail: shownHost(headers['host']) }) });
    return completeUpgrade(st, u, socket, head, { reason }, undefined);
  }
  if (admission.kind === 'open') return completeUpgrade(st, u, socket, head, undefined, undefined);
  const d = decide(ctx, req, 'ws', undefined, gen);
  if (d instanceof Promise) return upgradeWhenDecided(st, u, d, socket, head);
  if (d.result.ok) completeUpgrade(st, u, socket, head, undefined, d.result.identity);
  else completeUpgrade(st, u, socket, head, d.result.failure, undefined, d.claimedUser);
}

/**
 * Waits for assertion verification, then completes the upgrade. A client that hangs up
 * meanwhile, or a shutdown, ends the socket; nothing is left behind.
 */
function upgradeWhenDecided(st: WsState, u: Upgrade, d: Promise<Decision>, socket: Duplex, head: Buffer): void {
  st.pendingUpgrades.add(socket);
  st.addresses.add(u.key, 'verifying', 1);
  let waiting = true;
  const forget = () => {
    if (!waiting) return;
    waiting = false;
    st.pendingUpgrades.delete(socket);
    st.addresses.add(u.key, 'verifying', -1);
  };
  // After 'upgrade' Node leaves the socket unread, so a hang-up would go unnoticed until the
  // verdict. Read meanwhile: keep early bytes (bounded) for ws, and end on the client's FIN.
  const early: Buffer[] = [head];
  let earlyBytes = head.length;
  const onData = (chunk: Buffer) => {
    earlyBytes += chunk.length;
    if (earlyBytes > u.gen.limits.maxPayloadBytes) socket.destroy();
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
      if (st.closed || socket.destroyed) {
        socket.destroy();
        return;
      }
      const allHead = early.length === 1 ? head : Buffer.concat(early);
      if (result.ok) completeUpgrade(st, u, socket, allHead, undefined, result.identity);
      else completeUpgrade(st, u, socket, allHead, result.failure, undefined, claimedUser);
    },
    () => {
      forget();
      socket.destroy();
    },
  );
}

/** ws copies maxPayload into each socket at the upgrade, so a new size needs a new server. */
function serverFor(st: WsState, gen: Generation): WebSocketServer {
  if (gen.limits.maxPayloadBytes !== st.serverBytes) {
    st.serverBytes = gen.limits.maxPayloadBytes;
    st.server = createWsServer(st.serverBytes);
  }
  return st.server;
}

function completeUpgrade(st: WsState, u: Upgrade, socket: Duplex, head: Buffer, refusal: Refusal | undefined, preAuthorized: Identity | undefined, claimedUser?: string): void {
  serverFor(st, st.ctx.generation).handleUpgrade(u.req, socket, head, (ws) => {
    st.sockets++;
    ws.once('close', st.socketClosed);
    if (u.key !== undefined) {
      st.addresses.add(u.key, 'sockets', 1);
      ws.once('close', addressSocketClosed(st, u.key));
    }
    if (refusal) {
      ws.on('error', () => undefined);
      const code = wireCode(refusal);
      // Whose sign-in was refused, for the person (the close reason has room for the code only).
      if (claimedUser !== undefined) ws.send(JSON.stringify(eventFrame('refused', { reason: code, claimedUser })));
      ws.close(REASONS[refusal.reason].closeCode, code);
      return;
    }
    openSession(st, ws, u, preAuthorized);
  });
}

/** Made here, not in completeUpgrade, so the listener keeps only the key (not the request) alive. */
function addressSocketClosed(st: WsState, key: string): () => void {
  return () => st.addresses.add(key, 'sockets', -1);
}

/** Registers an upgraded socket as a session waiting for `connect`, with its listeners and handshake timer. */
function openSession(st: WsState, ws: WebSocket, u: Upgrade, preAuthorized: Identity | undefined): void {
  const now = st.ctx.now();
  const { gen, key } = u;
  const s: Session = {
    connId: randomUUID(),
    ws,
    peer: u.peer,
    addressKey: key,
    connectedAt: now,
    identity: undefined,
    preAuthorized,
    scopes: NO_SCOPES,
    client: {},
    timer: undefined,
    expiresAt: 0,
    facts: { via: u.via, at: u.at, headers: captureHeaders(u.headers, gen.policy) },
    bucket: new TokenBucket(gen.limits.frameBurst, now),
    req: u.req,
    closing: false,
  };
  st.sessions.add(s);
  st.pending++;
  st.addresses.add(key, 'sessions', 1);
  st.addresses.add(key, 'pending', 1);
  s.timer = setTimeout(() => {
    // After a stalled event loop, timers run before pending socket reads: give a connect frame
    // that has already arrived one I/O round to be read before timing the client out.
    setImmediate(() => {
      if (!s.identity && !s.closing) closeSession(st, s, { reason: 'handshake_timeout' }, { event: 'auth_rejected' });
    });
  }, gen.limits.handshakeTimeoutMs);
  scheduleExpiry(s, gen.sessionMaxAgeMs);
  ws.on('message', (data, isBinary) => onMessage(st, s, data, isBinary));
  ws.on('error', (err: Error & { code?: string }) => {
    // ws has already sent the close frame (1009 for an oversized message, 1002 or 1007 for a malformed one); just record it.
    const reason = ownCloseReason(err);
    if (reason) logClose(st, s, 'session_closed', { reason });
    s.closing = true;
  });
  ws.on('close', () => {
    clearTimeout(s.timer);
    st.sessions.delete(s);
    st.addresses.add(s.addressKey, 'sessions', -1);
    if (s.identity) st.ctx.presence.remove(s.connId);
    else {
      st.pending--;
      st.addresses.add(s.addressKey, 'pending', -1);
    }
    s.req = undefined;
  });
  // A reload may have landed while this upgrade was being decided.
  if (st.ctx.generation !== gen) void recheckOne(st, s, st.ctx.generation);
}
