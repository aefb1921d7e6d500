/**
 * The parts of the gateway protocol the Control UI reads. Frame, session and presence shapes come
 * from the server's own modules (type-only imports, nothing from them is bundled).
 */
import type { EventFrame, ResponseError, ResponseFrame } from '../../src/protocol/frames.js';
import type { Identity } from '../../src/protocol/identity.js';
import type { PresenceEntry, PresenceEvent } from '../../src/protocol/presence.js';
import type { Scope, ScopeList } from '../../src/protocol/scopes.js';
import type { HelloOk, SessionUpdatedEvent } from '../../src/protocol/session.js';
import type { AuditReport, Finding as AuditFinding, Severity } from '../../src/security/findings.js';

export type { AuditFinding, AuditReport, EventFrame, HelloOk, Identity, PresenceEntry, PresenceEvent, ResponseError, ResponseFrame, Scope, ScopeList, SessionUpdatedEvent, Severity };

/** The name this client gives in `connect` (shown in presence). */
export const CLIENT_NAME = 'mayros-control-ui';

/** The payload of the `status` method. */
export interface GatewayStatus {
  version: string;
  uptimeMs: number;
  startedAt: string;
  authMode: Identity['method'];
  bind: string;
  port: number;
  clients: number;
}

/** Result of one request: the payload, or the gateway's error. */
export type Reply<T> = { ok: true; payload: T } | { ok: false; error: ResponseError };
