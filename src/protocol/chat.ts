/**
 * Chat on the wire: the payloads of the chat and sessions methods and of the `chat` event
 * (docs/protocol.md, docs/chat.md). Node-free: the Control UI bundles it.
 */

/** How a streamed answer ends; `delta` carries a piece of it. */
export type ChatEventState = 'delta' | 'final' | 'aborted' | 'error';

/** A stored message as a client sees it (chat.history, and the `message` of a run's last event). */
export interface ChatMessageView {
  /** Grows with every message: pass the oldest one's id as `before` to page back. */
  id: number;
  role: 'user' | 'assistant' | 'system';
  /** The owner's identity for a person's message; null for an answer. */
  author: string | null;
  text: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** "provider/model", for answers. */
  model: string | null;
  usage: { prompt: number; completion: number } | null;
  runId: string | null;
  /** `streaming`, `complete`, or `error` / `aborted` / `incomplete` with a reason (the text so far is kept). */
  state: 'complete' | 'streaming' | 'incomplete' | 'error' | 'aborted';
  reason: string | null;
}

/** `chat`: one step of a run, sent to every connection of the session's owner and nobody else. */
export interface ChatEvent {
  runId: string;
  sessionKey: string;
  /** 0, 1, 2, ... within the run, without gaps; the last event is final, aborted or error. */
  seq: number;
  state: ChatEventState;
  /** The next piece of the answer (`delta`). */
  delta?: string;
  /** The stored answer as it ended (`final`, `aborted`, `error`; absent when it could not be stored). */
  message?: ChatMessageView;
  usage?: { prompt: number; completion: number };
  /** The reason code of `aborted` and `error` (a provider_*, chat_* or store_* code). */
  reason?: string;
}

/** A chat session as listed (sessions.list, sessions.create, sessions.rename). */
export interface ChatSessionView {
  key: string;
  title: string;
  /** The owner as the gateway keys people (docs/chat.md#owners): "trusted-proxy:alice", "token:", ... */
  owner: string;
  createdAt: number;
  updatedAt: number;
  /** The run streaming an answer in this session now, if any. */
  activeRunId?: string;
}

/** chat.send's answer: given at once, before the first event. */
export interface ChatSendResult {
  runId: string;
  sessionKey: string;
}

/** sessions.list's answer: one page, most recently active first. */
export interface SessionsListResult {
  sessions: ChatSessionView[];
  /** Pass as `before` for the next (less recently active) page; absent on the last page. */
  next?: string;
}

export interface ChatHistoryResult {
  sessionKey: string;
  /** Oldest first. */
  messages: ChatMessageView[];
  /** Pass as `before` for the next older page; absent when this page reaches the start. */
  before?: number;
}
