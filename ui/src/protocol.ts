/**
 * The parts of the gateway protocol the Control UI reads. Frame and presence shapes come from
 * the server's own modules (type-only imports, nothing from them is bundled).
 */
import type { EventFrame, ResponseError, ResponseFrame } from '../../src/protocol/frames.js';
import type { PresenceEntry } from '../../src/gateway/presence.js';
import type { Identity } from '../../src/auth/types.js';
import type { AuditReport, Finding as AuditFinding, Severity } from '../../src/security/findings.js';

export type { AuditFinding, AuditReport, EventFrame, Identity, PresenceEntry, ResponseError, ResponseFrame, Severity };

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

/**
 * The payload of a `presence` event. The gateway sends at most one per 250 ms: `change`/`entry`
 * are the latest change, `changes` all of them since the previous event. `entries` (the full
 * list) is left out when more than 200 sessions are connected: ask `presence.list` then.
 */
export interface PresenceEvent {
  change: 'join' | 'leave';
  entry: PresenceEntry;
  changes?: Array<{ change: 'join' | 'leave'; entry: PresenceEntry }>;
  truncated?: true;
  count: number;
  entries?: PresenceEntry[];
}

/** Result of one request: the payload, or the gateway's error. */
export type Reply<T> = { ok: true; payload: T } | { ok: false; error: ResponseError };
