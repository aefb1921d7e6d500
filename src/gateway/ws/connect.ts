/**
 * The `connect` frame: the first request of every session. It must name our protocol version; in
 * token and password modes it carries the credential and the decision is made here; in the modes
 * that decide at the upgrade the session is already admitted (preAuthorized). Answers `hello-ok`.
 */
import { scopesFor } from '../../authz/decide.js';
import type { Identity } from '../../protocol/identity.js';
import type { HelloOk } from '../../protocol/session.js';
import { PROTOCOL_VERSION, connectParamsSchema, errorFrame, okFrame, type RequestFrame } from '../../protocol/frames.js';
import { frameError } from '../../protocol/reasons.js';
import type { Generation } from '../../reload/generation.js';
import { decide } from '../context.js';
import { closeSession } from './close.js';
import { scheduleExpiry, type Session } from './session.js';
import { send } from './socket.js';
import type { WsState } from './state.js';

export function onConnect(st: WsState, s: Session, frame: RequestFrame, gen: Generation): void {
  if (frame.method !== 'connect') {
    closeSession(st, s, { reason: 'connect_required' }, { id: frame.id, event: 'auth_rejected' });
    return;
  }
  const params = connectParamsSchema.safeParse(frame.params ?? {});
  if (!params.success) {
    const first = params.error.issues[0];
    send(st, s, errorFrame(frame.id, frameError('invalid_params', `invalid connect params${first ? ` at ${first.path.join('.') || '(root)'}: ${first.message}` : ''}`)));
    return;
  }
  if (params.data.protocol !== PROTOCOL_VERSION) {
    closeSession(st, s, { reason: 'protocol_unsupported' }, { id: frame.id, event: 'auth_rejected' });
    return;
  }
  let identity = s.preAuthorized;
  if (!identity) {
    // The upgrade request is kept until connect; without it there is nothing to decide on.
    if (!s.req) return void s.ws.terminate();
    const auth = params.data.auth ?? {};
    const credentials = { token: auth.token, password: auth.password };
    const d = decide(st.ctx, s.req, 'ws', credentials, gen);
    // Only a signed assertion makes a decision async, and trusted-proxy mode decides at the upgrade.
    if (d instanceof Promise) return void s.ws.terminate();
    const { result } = d;
    if (!result.ok) {
      closeSession(st, s, result.failure, { id: frame.id });
      return;
    }
    identity = result.identity;
    s.facts.credentials = credentials;
  }
  clearTimeout(s.timer);
  s.timer = undefined;
  s.identity = identity;
  // Once per session, from the identity and this generation's rules only: the connect frame's
  // other fields (a `scopes` or `role` a client puts in) are never read for it.
  s.scopes = scopesFor(identity, gen.authorization);
  s.req = undefined;
  st.pending--;
  st.addresses.add(s.addressKey, 'pending', -1);
  s.client = { name: params.data.client?.name, version: params.data.client?.version };
  scheduleExpiry(s, gen.sessionMaxAgeMs);
  const hello: HelloOk = {
    type: 'hello-ok',
    protocol: PROTOCOL_VERSION,
    identity,
    scopes: s.scopes,
    server: { version: st.ctx.version, connId: s.connId },
    policy: { maxPayloadBytes: gen.limits.maxPayloadBytes, tickIntervalMs: gen.limits.tickIntervalMs, authMode: gen.policy.mode },
  };
  send(st, s, okFrame(frame.id, hello));
  st.ctx.presence.add({ connId: s.connId, user: identity.user, method: identity.method, client: s.client, since: new Date(s.connectedAt).toISOString() });
  logSignIn(st, s, identity);
}

/** One line per admitted session, through its own limiter so a connect flood cannot fill the log. */
function logSignIn(st: WsState, s: Session, identity: Identity): void {
  const suppressed = st.signInLog.take();
  if (suppressed < 0) return;
  st.ctx.logger.info(
    { event: 'session_opened', connId: s.connId, peer: s.peer, user: identity.user, method: identity.method, client: s.client.name, ...(suppressed ? { suppressed } : {}) },
    'signed in',
  );
}
