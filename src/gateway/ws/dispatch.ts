/**
 * Every frame a session sends: paced by its token bucket, parsed, then either the `connect`
 * handshake or a method call through the registry (src/methods/), answered in order of completion.
 */
import type { RawData } from 'ws';
import { METHODS } from '../../methods/index.js';
import type { MethodContext, MethodResult } from '../../methods/registry.js';
import type { Identity } from '../../protocol/identity.js';
import { errorFrame, eventFrame, okFrame, parseRequestFrame, type RequestFrame } from '../../protocol/frames.js';
import { frameError } from '../../protocol/reasons.js';
import { logScopeMissing } from '../context.js';
import { closeSession } from './close.js';
import { onConnect } from './connect.js';
import type { Session } from './session.js';
import { send } from './socket.js';
import type { WsState } from './state.js';

export function onMessage(st: WsState, s: Session, data: RawData, isBinary: boolean): void {
  if (s.closing) return;
  const gen = st.ctx.generation;
  if (!s.bucket.take(st.ctx.now(), gen.limits.maxFramesPerSecond, gen.limits.frameBurst)) {
    closeSession(st, s, { reason: 'frame_rate_exceeded' }, { event: 'session_closed' });
    return;
  }
  if (isBinary) {
    send(st, s, errorFrame(null, frameError('invalid_frame', 'binary frames are not accepted; send JSON text')));
    return;
  }
  const parsed = parseRequestFrame(data.toString());
  if (!parsed.ok) {
    send(st, s, errorFrame(parsed.id, frameError('invalid_frame', parsed.message)));
    return;
  }
  const frame = parsed.frame;
  const identity = s.identity;
  if (!identity) {
    onConnect(st, s, frame, gen);
    return;
  }
  if (frame.method === 'connect') {
    send(st, s, errorFrame(frame.id, frameError('already_connected', 'this session is already connected')));
    return;
  }
  const r = METHODS.invoke(frame.method, frame.params, callContext(st, s, identity));
  if (r instanceof Promise) void r.then((done) => reply(st, s, frame.id, done));
  else {
    if (!r.ok && r.error.code === 'FORBIDDEN') logRefused(st, s, identity, frame.method);
    reply(st, s, frame.id, r);
  }
}

/** The log line for a call the registry refused for a missing scope (checked before any handler runs, so never async). */
function logRefused(st: WsState, s: Session, identity: Identity, name: string): void {
  const needed = METHODS.get(name)?.scope;
  if (needed) logScopeMissing(st.ctx, { user: identity.user, method: identity.method, what: name, needed, scopes: s.scopes, peer: s.peer, surface: 'ws', connId: s.connId });
}

function reply(st: WsState, s: Session, id: RequestFrame['id'], r: MethodResult): void {
  send(st, s, r.ok ? okFrame(id, r.payload) : errorFrame(id, r.error));
}

/** What a method is called with: the caller, the gateway's facts, and its ways to send events. */
function callContext(st: WsState, s: Session, identity: Identity): MethodContext {
  return {
    session: { connId: s.connId, identity, scopes: s.scopes },
    gateway: st.facts,
    emit: (event, payload) => send(st, s, eventFrame(event, payload)),
    emitTo: (who, event, payload) => emitTo(st, who, event, payload),
  };
}

/** Sends an event to every open session of `who` (the same user, signed in the same way). */
export function emitTo(st: WsState, who: Identity, event: string, payload: unknown): void {
  for (const s of st.sessions) {
    if (s.identity && s.identity.user === who.user && s.identity.method === who.method) send(st, s, eventFrame(event, payload));
  }
}
