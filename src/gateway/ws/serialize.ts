/**
 * Frame serialization for the WebSocket layer. A frozen payload cannot change, so its JSON is
 * computed once and reused: with thousands of sessions, `presence.list` would otherwise
 * re-serialize the same few hundred kilobytes on every call (an easy way to burn the CPU).
 */
import type { EventFrame, ResponseFrame } from '../../protocol/frames.js';

const cache = new WeakMap<object, string>();

function payloadJson(payload: unknown): string {
  if (payload === null || typeof payload !== 'object' || !Object.isFrozen(payload)) return JSON.stringify(payload);
  let json = cache.get(payload);
  if (json === undefined) {
    json = JSON.stringify(payload);
    cache.set(payload, json);
  }
  return json;
}

/** The text of one frame, byte-for-byte what JSON.stringify(frame) would give. */
export function serializeFrame(frame: ResponseFrame | EventFrame | Record<string, unknown>): string {
  const f = frame as { type?: unknown; ok?: unknown; id?: unknown; payload?: unknown };
  if (f.type === 'res' && f.ok === true && f.payload !== undefined && Object.keys(f).length === 4) {
    return `{"type":"res","id":${JSON.stringify(f.id)},"ok":true,"payload":${payloadJson(f.payload)}}`;
  }
  return JSON.stringify(frame);
}
