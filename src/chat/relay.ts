/**
 * Relays one model answer as it streams: the pieces of a burst (what one network read brought)
 * go out as one `delta` (the first piece at once, the rest at the next turn of the event loop),
 * so the gateway and every tab of the owner handle one frame per burst, not per token; the text
 * so far is saved every `saveEveryMs`. Returns how the stream ended and the whole text. Never
 * rejects.
 */
import type { StreamEnd, StreamEvent } from '../models/client.js';

export interface RelayHooks {
  /** Sends one `delta` event. */
  delta(text: string): void;
  /** Saves the text so far; handles its own failures. */
  save(text: string): void;
  now(): number;
  readonly saveEveryMs: number;
  /** Told about an exception from the stream (a bug: the provider client never throws). */
  unexpected(err: unknown): void;
}

export interface Relayed {
  readonly text: string;
  readonly end: StreamEnd;
}

/** `first` is the stream's first step, already asked for; `rest` gives the following ones. */
export async function relay(first: Promise<IteratorResult<StreamEvent, void>>, rest: AsyncIterator<StreamEvent, void>, hooks: RelayHooks): Promise<Relayed> {
  let text = '';
  let end: StreamEnd = { type: 'aborted', text: '' };
  let savedAt = hooks.now();
  let unsent = '';
  let flushing: NodeJS.Immediate | undefined;
  const flush = (): void => {
    flushing = undefined;
    if (unsent === '') return;
    const delta = unsent;
    unsent = '';
    hooks.delta(delta);
  };
  try {
    for (let step = await first; !step.done; step = await rest.next()) {
      const ev = step.value;
      if (ev.type !== 'delta') {
        end = ev;
        continue;
      }
      text += ev.text;
      if (flushing === undefined) {
        hooks.delta(ev.text);
        flushing = setImmediate(flush);
      } else unsent += ev.text;
      const now = hooks.now();
      if (now - savedAt >= hooks.saveEveryMs) {
        savedAt = now;
        hooks.save(text);
      }
    }
  } catch (err) {
    hooks.unexpected(err);
    end = { type: 'error', reason: 'provider_error', detail: 'unexpected failure', text };
  }
  if (flushing !== undefined) clearImmediate(flushing);
  flush();
  return { text: end.text || text, end };
}
