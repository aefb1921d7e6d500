/**
 * The sockets: the ws server the gateway uses (our limits, and a socket class that names the
 * reason when ws itself closes a session), and sending with back-pressure: a client that stops
 * reading is closed once its unsent data passes gateway.limits.maxBufferedBytes.
 */
import { WebSocket, WebSocketServer, type ServerOptions } from 'ws';
import { REASONS, type SessionCode } from '../../protocol/reasons.js';
import { allows, type Scope } from '../../protocol/scopes.js';
import { closeSession } from './close.js';
import { serializeFrame } from './serialize.js';
import type { Session } from './session.js';
import type { WsState } from './state.js';

/**
 * How long a closing socket may take to answer our close frame before it is destroyed. Bounds
 * the life of refused and misbehaving sockets (ws's own default is 30 s).
 */
export const CLOSE_TIMEOUT_MS = 2_000;

/** The closes ws makes by itself, without a reason text, by close code. */
const WS_OWN_CLOSES: ReadonlyMap<number, SessionCode> = new Map(
  (['frame_too_large', 'frame_malformed', 'frame_invalid_utf8'] as const).map((code) => [REASONS[code].closeCode, code]),
);

/**
 * ws enforces `maxPayload` while the message is still arriving (nothing is buffered beyond it),
 * and checks every frame against RFC 6455; it closes with 1009, 1002 or 1007 but no reason text.
 * This adds our reason code so clients can look it up.
 */
export class GatewaySocket extends WebSocket {
  override close(code?: number, data?: string | Buffer): void {
    super.close(code, data === undefined && code !== undefined ? WS_OWN_CLOSES.get(code) : data);
  }
}

/** The reason code of an error ws reports before closing a session by itself, if it is one of ours. */
export function ownCloseReason(err: Error & { code?: string }): SessionCode | undefined {
  const c = err.code;
  if (c === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' || c === 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH') return 'frame_too_large';
  if (c === 'WS_ERR_INVALID_UTF8') return 'frame_invalid_utf8';
  // Too many fragments closes with 1008 and no reason, as before; every other ws error is a protocol error (1002).
  if (c === 'WS_ERR_TOO_MANY_BUFFERED_PARTS' || !c?.startsWith('WS_ERR_')) return undefined;
  return 'frame_malformed';
}

/** A no-server WebSocketServer for one message-size limit. */
export function createWsServer(maxPayloadBytes: number): WebSocketServer {
  const options: ServerOptions & { closeTimeout: number } = {
    noServer: true,
    maxPayload: maxPayloadBytes,
    perMessageDeflate: false,
    clientTracking: false,
    WebSocket: GatewaySocket,
    // A peer that never answers our close frame is destroyed after this (ws default: 30 s).
    closeTimeout: CLOSE_TIMEOUT_MS,
  };
  return new WebSocketServer(options);
}

/** Sends a frame, or closes a client that has stopped reading (its unsent data is over the cap). */
export function send(st: WsState, s: Session, frame: unknown): void {
  if (s.closing || s.ws.readyState !== s.ws.OPEN) return;
  if (overBuffered(st, s)) return;
  s.ws.send(serializeFrame(frame as Record<string, unknown>));
}

/**
 * Sends a frame to every connected session, encoded once; with `needed`, only to the sessions whose
 * scopes hold it (an event carries what the method of that scope would return).
 */
export function broadcast(st: WsState, frame: unknown, needed: Scope | null = null): void {
  // Encoded once: ws would otherwise convert the string for every recipient.
  const data = Buffer.from(JSON.stringify(frame));
  for (const s of st.sessions) {
    if (!s.identity || s.closing || s.ws.readyState !== s.ws.OPEN || !allows(s.scopes, needed) || overBuffered(st, s)) continue;
    s.ws.send(data, { binary: false });
  }
}

function overBuffered(st: WsState, s: Session): boolean {
  const buffered = s.ws.bufferedAmount;
  if (buffered <= st.ctx.generation.limits.maxBufferedBytes) return false;
  // The close frame queues behind the backlog; ws destroys the socket if it is not answered.
  closeSession(st, s, { reason: 'slow_consumer' }, { event: 'session_closed', detail: { bufferedBytes: buffered } });
  return true;
}
