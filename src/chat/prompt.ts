/**
 * What is sent to the model for a run: the system prompt, then the session's latest messages
 * (the person's new message last). Pure.
 */
import type { PromptMessage } from '../models/client.js';
import type { ChatMessage } from '../store/chat-types.js';

/**
 * `history` is the session's newest messages, oldest first, ending with the person's new message.
 * Answers still streaming or empty are left out (another run's, or one a crash cut before any
 * text); an answer that ended early keeps its partial text, as the person saw it. At most
 * `earlier` messages come before the new one.
 */
export function buildPrompt(history: readonly ChatMessage[], earlier: number, systemPrompt?: string): PromptMessage[] {
  const usable = history.filter((m) => m.role !== 'system' && m.text !== '' && m.state !== 'streaming');
  const kept = usable.slice(Math.max(0, usable.length - 1 - earlier));
  const out: PromptMessage[] = systemPrompt ? [{ role: 'system', content: systemPrompt }] : [];
  for (const m of kept) out.push({ role: m.role, content: m.text });
  return out;
}
