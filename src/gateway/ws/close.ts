/**
 * Closing a session with a refusal from the reason table: the error frame answering the request
 * that caused it (when the row has one), the log line, and the close code and reason.
 */
import type { Refusal } from '../../auth/reasons.js';
import { errorFrame, type RequestFrame } from '../../protocol/frames.js';
import { REASONS, wireCode } from '../../protocol/reasons.js';
import { logRejection } from '../context.js';
import type { Session } from './session.js';
import type { WsState } from './state.js';

export interface CloseOptions {
  /** Request id to answer with an error frame (the row's wsError) before closing. */
  id?: RequestFrame['id'];
  /** Log line to write; omitted when the decision already logged it. */
  event?: 'auth_rejected' | 'session_revoked' | 'session_closed';
  detail?: Record<string, unknown>;
}

/** Answers `opts.id` with an error frame when given, logs, and closes with the refusal's row. Once per session. */
export function closeSession(st: WsState, s: Session, refusal: Refusal, opts: CloseOptions = {}): void {
  if (s.closing) return;
  s.closing = true;
  clearTimeout(s.timer);
  const reason = wireCode(refusal);
  const row = REASONS[refusal.reason];
  if (opts.id !== undefined && row.wsError && s.ws.readyState === s.ws.OPEN) {
    s.ws.send(JSON.stringify(errorFrame(opts.id, { code: row.wsError, reason, message: row.message })));
  }
  if (opts.event === 'auth_rejected') logRejection(st.ctx, { reason, peer: s.peer, path: '/', surface: 'ws' });
  else if (opts.event) logClose(st, s, opts.event, { reason, ...opts.detail });
  s.ws.close(row.closeCode, reason);
}

/** A `websocket session closed` line, through the rejection log's limiter. */
export function logClose(st: WsState, s: Session, event: string, fields: Record<string, unknown>): void {
  const suppressed = st.ctx.rejectLog.take();
  if (suppressed < 0) return;
  const user = s.identity?.user ?? s.preAuthorized?.user ?? null;
  st.ctx.logger.warn({ event, connId: s.connId, peer: s.peer, user, ...fields, ...(suppressed ? { suppressed } : {}) }, 'websocket session closed');
}
