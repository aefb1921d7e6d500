/**
 * The per-person chat limits (chat.maxConcurrentRuns, chat.sendsPerMinute) and the one-run-per-
 * session rule, decided over plain counts. Pure; the run engine keeps the counts.
 */
import type { ChatConfig } from '../config/chat-schema.js';

/** The window of chat.sendsPerMinute. */
export const SEND_WINDOW_MS = 60_000;

export interface SendInput {
  /** Whether the session already streams an answer. */
  readonly sessionBusy: boolean;
  /** Answers this person has streaming now. */
  readonly runningForOwner: number;
  /** When this person's earlier sends started (ms), oldest first; older ones may be included. */
  readonly recentSends: readonly number[];
  readonly now: number;
}

export type SendDecision =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'session_busy' }
  | { readonly ok: false; readonly reason: 'chat_rate_limited'; readonly limit: 'maxConcurrentRuns' | 'sendsPerMinute'; readonly retryAfterMs?: number };

/** Sends within the last minute, given timestamps oldest first. */
export function sendsInWindow(sends: readonly number[], now: number): number {
  let i = 0;
  while (i < sends.length && sends[i]! <= now - SEND_WINDOW_MS) i++;
  return sends.length - i;
}

/** May this person start a run now? The session rule first (it names the cause), then the limits. */
export function decideSend(input: SendInput, limits: Pick<ChatConfig, 'maxConcurrentRuns' | 'sendsPerMinute'>): SendDecision {
  if (input.sessionBusy) return { ok: false, reason: 'session_busy' };
  if (input.runningForOwner >= limits.maxConcurrentRuns) return { ok: false, reason: 'chat_rate_limited', limit: 'maxConcurrentRuns' };
  const inWindow = sendsInWindow(input.recentSends, input.now);
  if (inWindow >= limits.sendsPerMinute) {
    // The oldest send still counted leaves the window at its time + 1 minute.
    const oldest = input.recentSends[input.recentSends.length - inWindow]!;
    return { ok: false, reason: 'chat_rate_limited', limit: 'sendsPerMinute', retryAfterMs: Math.max(0, oldest + SEND_WINDOW_MS - input.now) };
  }
  return { ok: true };
}
