/**
 * The parts of the gateway protocol the Control UI reads. Frame and presence shapes come from
 * the server's own modules (type-only imports, nothing from them is bundled).
 */
import type { EventFrame, ResponseError, ResponseFrame } from '../../src/protocol/frames.js';
import type { Identity } from '../../src/protocol/identity.js';
import type { PresenceEntry, PresenceEvent } from '../../src/protocol/presence.js';
import type { AuditReport, Finding as AuditFinding, Severity } from '../../src/security/findings.js';

export type { AuditFinding, AuditReport, EventFrame, Identity, PresenceEntry, PresenceEvent, ResponseError, ResponseFrame, Severity };

/** The name this client gives in `connect` (shown in presence). */
export const CLIENT_NAME = 'mayros-control-ui';

/** The payload of a successful `connect`. */
export interface HelloOk {
  type: 'hello-ok';
  protocol: number;
  identity: Identity;
  server: { version: string; connId: string };
  policy: { maxPayloadBytes: number; tickIntervalMs: number; authMode: Identity['method'] };
}

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
