/**
 * A bare HTTP refusal written straight to a socket, for requests no handler answers: a WebSocket
 * upgrade refused before it is upgraded, and requests Node's parser refused (server.ts).
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { REASONS, type RequestCode } from '../../protocol/reasons.js';

/** Writes `HTTP/1.1 <status>` of the code's table row, with no body, and closes once it is written. */
export function refuseRaw(socket: Duplex, code: RequestCode): void {
  const status = REASONS[code].status;
  socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  // Destroy once written rather than wait for a FIN a half-open client never sends.
  (socket as Socket).destroySoon();
}
