/**
 * Why a chat request was refused or an answer ended early, in the person's words: from the same
 * reason table as a refused connection (src/protocol/reasons.ts), so the page, the docs and the
 * gateway agree. Store codes name the database file with placeholders that the page, which
 * does not know the gateway's paths, fills with where the file lives.
 */
import { explainRequest, type RequestRefusal } from '../refusal.js';

const PLACES: Record<string, string> = {
  '{file}': "mayros.db (in the gateway's state directory, ~/.mayros or $MAYROS_STATE_DIR)",
  '{dir}': "the gateway's state directory",
};

const fill = (s: string) => s.replace(/\{file\}|\{dir\}/g, (p) => PLACES[p]!);

/** A refusal (error reply) or an answer's end reason, explained; `detail` is the gateway's own sentence, if any. */
export function explainChat(reason: string, detail = ''): RequestRefusal {
  const e = explainRequest({ reason, message: detail });
  return { ...e, message: fill(e.message), fix: fill(e.fix) };
}

/** Ends of an answer that are no failure and need no explanation beyond a word. */
export function quietEnd(reason: string | undefined): boolean {
  return reason === 'chat_aborted';
}
