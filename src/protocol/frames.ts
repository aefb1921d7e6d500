/**
 * WebSocket frame schemas: the single source of truth for the wire protocol.
 *   client -> server: {"type":"req","id","method","params"}
 *   server -> client: {"type":"res","id","ok","payload"|"error"} and {"type":"event","event","payload"}
 */
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;

export const requestFrameSchema = z.object({
  type: z.literal('req'),
  id: z.union([z.string().min(1).max(128), z.number().int()]),
  method: z.string().min(1).max(128),
  params: z.unknown().optional(),
});
export type RequestFrame = z.infer<typeof requestFrameSchema>;

export const connectParamsSchema = z.object({
  protocol: z.number().int(),
  client: z
    .object({
      name: z.string().max(128).optional(),
      version: z.string().max(64).optional(),
    })
    .passthrough()
    .optional(),
  auth: z
    .object({
      token: z.string().max(4096).optional(),
      password: z.string().max(4096).optional(),
    })
    .optional(),
});
export type ConnectParams = z.infer<typeof connectParamsSchema>;

/** The `error.code` of a failed response; each is the wsError of a row in the reason table (reasons.ts). */
export const ERROR_CODES = ['INVALID_FRAME', 'INVALID_PARAMS', 'UNKNOWN_METHOD', 'UNAUTHORIZED', 'FORBIDDEN', 'ALREADY_CONNECTED', 'PROTOCOL_UNSUPPORTED', 'CONNECT_REQUIRED', 'NOT_FOUND', 'CONFLICT', 'RATE_LIMITED', 'UNAVAILABLE', 'INTERNAL'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ResponseError {
  code: ErrorCode;
  message: string;
  /** The reason code, for UNAUTHORIZED, FORBIDDEN and other refusals. */
  reason?: string;
  /** What a refusal carries besides its message (e.g. `config_conflict`'s current hash); documented with its reason code. */
  details?: Readonly<Record<string, unknown>>;
}

export type ResponseFrame =
  | { type: 'res'; id: string | number | null; ok: true; payload: unknown }
  | { type: 'res'; id: string | number | null; ok: false; error: ResponseError };

/** Every event the gateway sends; the payload of each is in src/protocol/events.ts. */
export const EVENT_NAMES = ['tick', 'presence', 'session.updated', 'shutdown', 'refused', 'chat', 'logs.line'] as const;
export type EventName = (typeof EVENT_NAMES)[number];

export interface EventFrame {
  type: 'event';
  event: EventName | (string & {});
  payload: unknown;
}

export type ParsedFrame = { ok: true; frame: RequestFrame } | { ok: false; id: string | number | null; message: string };

/** Parses one text frame. Never throws. */
export function parseRequestFrame(text: string): ParsedFrame {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, id: null, message: 'frame is not valid JSON' };
  }
  const r = requestFrameSchema.safeParse(data);
  if (r.success) return { ok: true, frame: r.data };
  const id = data && typeof data === 'object' && 'id' in data && (typeof data.id === 'string' || typeof data.id === 'number') ? data.id : null;
  const first = r.error.issues[0];
  return { ok: false, id, message: `invalid request frame${first ? ` at ${first.path.join('.') || '(root)'}: ${first.message}` : ''}` };
}

export function okFrame(id: string | number | null, payload: unknown): ResponseFrame {
  return { type: 'res', id, ok: true, payload };
}

export function errorFrame(id: string | number | null, error: ResponseError): ResponseFrame {
  return { type: 'res', id, ok: false, error };
}

export function eventFrame(event: EventFrame['event'], payload: unknown): EventFrame {
  return { type: 'event', event, payload };
}
