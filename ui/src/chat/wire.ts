/**
 * The chat methods' and events' shapes as the Control UI reads them (docs/protocol.md): the
 * gateway's (src/protocol/chat.ts) with what the page does not need made optional, so the pure
 * functions and their tests work on small records.
 */
import type { ChatEvent as GatewayChatEvent, ChatHistoryResult, ChatSessionView, SessionsListResult } from '../../../src/protocol/chat.js';

export type RunState = 'delta' | 'final' | 'aborted' | 'error';

/** One `chat` event: a piece of an answer (`delta`), or how the run ended. */
export interface ChatEvent {
  runId: string;
  sessionKey: string;
  /** Contiguous from 0 within a run. */
  seq: number;
  state: RunState;
  delta?: string;
  /** With the end of a run: the answer as stored. */
  message?: WireMessage;
  usage?: { prompt: number; completion: number };
  reason?: string;
}

export type MessageState = 'complete' | 'streaming' | 'incomplete' | 'error' | 'aborted';

export interface WireMessage {
  id?: number;
  role: 'user' | 'assistant' | 'system';
  author?: string | null;
  text: string;
  createdAt?: number;
  model?: string | null;
  usage?: { prompt: number; completion: number } | null;
  runId?: string | null;
  state?: MessageState;
  reason?: string | null;
}

export interface WireSession {
  key: string;
  title: string;
  owner?: string;
  createdAt?: number;
  updatedAt?: number;
}

/** One page of `sessions.list`: most recently active first; `next` continues it (absent: the last page). */
export interface SessionsPage {
  sessions: WireSession[];
  next?: string;
}

export interface HistoryPage {
  messages: WireMessage[];
  before?: number;
}

// The gateway's own shapes (src/protocol/chat.ts) must fit these: a change there that this page
// could not read fails the typecheck here.
type Fits<T extends U, U> = T;
export type GatewayShapesFit = [Fits<GatewayChatEvent, ChatEvent>, Fits<ChatHistoryResult, HistoryPage>, Fits<ChatSessionView, WireSession>, Fits<SessionsListResult, SessionsPage>];
