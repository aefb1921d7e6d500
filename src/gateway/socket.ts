/**
 * The WebSocket server instance the gateway uses: ws with our limits, and a socket class that
 * names the reason when ws itself closes an oversized message.
 */
import { WebSocket, WebSocketServer, type ServerOptions } from 'ws';
import { WS_MESSAGE_TOO_BIG } from '../auth/reasons.js';

/**
 * How long a closing socket may take to answer our close frame before it is destroyed. Bounds
 * the life of refused and misbehaving sockets (ws's own default is 30 s).
 */
export const CLOSE_TIMEOUT_MS = 2_000;

/**
 * ws enforces `maxPayload` while the message is still arriving (nothing is buffered beyond it)
 * and closes with 1009 but no reason text; this adds our reason code so clients can look it up.
 */
export class GatewaySocket extends WebSocket {
  override close(code?: number, data?: string | Buffer): void {
    super.close(code, code === WS_MESSAGE_TOO_BIG && data === undefined ? 'frame_too_large' : data);
  }
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
