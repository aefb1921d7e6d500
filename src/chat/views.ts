/**
 * From store records to what a client is sent (src/protocol/chat.ts). Pure.
 */
import type { ChatMessageView, ChatSessionView } from '../protocol/chat.js';
import type { ChatMessage, ChatSession } from '../store/chat-types.js';

export function messageView(m: ChatMessage): ChatMessageView {
  return { id: m.id, role: m.role, author: m.author, text: m.text, createdAt: m.createdAt, model: m.model, usage: m.usage, runId: m.runId, state: m.state, reason: m.reason };
}

export function sessionView(s: ChatSession, activeRunId: string | undefined): ChatSessionView {
  const v: ChatSessionView = { key: s.key, title: s.title, owner: s.owner, createdAt: s.createdAt, updatedAt: s.updatedAt };
  if (activeRunId !== undefined) v.activeRunId = activeRunId;
  return v;
}
