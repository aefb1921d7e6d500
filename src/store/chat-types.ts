/**
 * The chat data as the store hands it out: plain, immutable-by-convention records.
 */

export type MessageRole = 'user' | 'assistant' | 'system';

/**
 * `streaming` while an answer is being written; then `complete`, or `error` / `aborted` /
 * `incomplete` with a reason code (the partial text is kept in every case).
 */
export type MessageState = 'complete' | 'streaming' | 'incomplete' | 'error' | 'aborted';

export interface ChatSession {
  /** Internal row id; never sent to a client (the key is the session's name on the wire). */
  readonly id: number;
  /** Server-generated, unguessable. */
  readonly key: string;
  /** The admitted identity that created the session. */
  readonly owner: string;
  readonly title: string;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
  /** Last change: a message sent or finished, a rename. */
  readonly updatedAt: number;
}

export interface TokenUsage {
  readonly prompt: number;
  readonly completion: number;
}

export interface ChatMessage {
  /** Grows with every message: the cursor for paging back through history. */
  readonly id: number;
  readonly role: MessageRole;
  /** Who wrote it: the identity for a person's message, null for an answer. */
  readonly author: string | null;
  readonly text: string;
  readonly createdAt: number;
  /** The model that answered ("provider/model"), for answers. */
  readonly model: string | null;
  readonly usage: TokenUsage | null;
  readonly runId: string | null;
  readonly state: MessageState;
  /** The reason code for error, aborted and incomplete answers. */
  readonly reason: string | null;
}

export interface HistoryPage {
  /** Oldest first. */
  readonly messages: ChatMessage[];
  /** Pass as `before` for the next older page; absent when this page reaches the start. */
  readonly before?: number;
}

export interface ChatRun {
  readonly runId: string;
  readonly sessionKey: string;
  readonly owner: string;
  readonly createdAt: number;
}

export interface BeginRunInput {
  /** Absent: a new session is created for this run. */
  readonly sessionKey?: string;
  readonly idempotencyKey: string;
  readonly text: string;
  /** Title of the session created when there is no sessionKey. */
  readonly title?: string;
  /**
   * The model that will answer ("provider/model"): the answer's row (streaming, empty) is stored
   * in the same transaction, so a send costs one commit before the model is asked.
   */
  readonly answerModel?: string;
  /** The run's id when the caller chose it already (it tracks the run before it is stored). */
  readonly runId?: string;
}

export type BeginRunResult =
  | { readonly ok: true; readonly created: true; readonly run: ChatRun; readonly userMessage: ChatMessage; readonly answer?: ChatMessage }
  /** The same owner already sent this idempotency key: its run, started once. */
  | { readonly ok: true; readonly created: false; readonly run: ChatRun }
  | { readonly ok: false; readonly reason: 'session_not_found' };

/** How an answer ended. */
export type FinishInput =
  | { readonly state: 'complete'; readonly text: string; readonly usage?: TokenUsage }
  | { readonly state: 'error' | 'aborted' | 'incomplete'; readonly text: string; readonly reason: string; readonly usage?: TokenUsage };

/** Where a page of sessions continues: below this (updatedAt, key) in the most-recently-active-first order. */
export interface SessionCursor {
  readonly updatedAt: number;
  readonly key: string;
}

export interface SessionPage {
  /** Most recently active first (ties: the greater key first). */
  readonly sessions: ChatSession[];
  /** Where the next page continues; absent on the last page. */
  readonly next?: SessionCursor;
}
