/**
 * The chat repository: sessions, their messages and runs, over an opened database. Every query
 * is prepared once. Access is by owner: a session key that belongs to someone else reads exactly
 * like a key that does not exist (undefined / false), so keys cannot be probed. Every storage
 * failure is thrown as a StoreError naming the file.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import { toStoreError } from './errors.js';
import type { BeginRunInput, BeginRunResult, ChatMessage, ChatRun, ChatSession, FinishInput, HistoryPage, MessageRole, MessageState, SessionCursor, SessionPage } from './chat-types.js';

export interface ChatStoreOptions {
  /** Milliseconds since the epoch. */
  now?: () => number;
  /** A new session key: 144 random bits, URL-safe. */
  newSessionKey?: () => string;
  newRunId?: () => string;
}

/** The most messages one history page returns. */
export const MAX_HISTORY_PAGE = 500;

/** The most sessions one list page returns. */
export const MAX_SESSIONS_PAGE = 200;

/** Above every stored (updated_at, key): the cursor of a first page. */
const FIRST: SessionCursor = { updatedAt: Number.MAX_SAFE_INTEGER, key: '' };

interface SessionRow {
  id: number;
  key: string;
  owner: string;
  title: string;
  created_at: number;
  updated_at: number;
}

interface MessageRow {
  id: number;
  role: MessageRole;
  author: string | null;
  text: string;
  created_at: number;
  model: string | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  run_id: string | null;
  state: MessageState;
  reason: string | null;
}

const session = (r: SessionRow): ChatSession => ({ id: r.id, key: r.key, owner: r.owner, title: r.title, createdAt: r.created_at, updatedAt: r.updated_at });

const message = (r: MessageRow): ChatMessage => ({
  id: r.id,
  role: r.role,
  author: r.author,
  text: r.text,
  createdAt: r.created_at,
  model: r.model,
  usage: r.prompt_tokens === null && r.completion_tokens === null ? null : { prompt: r.prompt_tokens ?? 0, completion: r.completion_tokens ?? 0 },
  runId: r.run_id,
  state: r.state,
  reason: r.reason,
});

const SESSION_COLS = 'id, key, owner, title, created_at, updated_at';
const MESSAGE_COLS = 'id, role, author, text, created_at, model, prompt_tokens, completion_tokens, run_id, state, reason';

export class ChatStore {
  private readonly now: () => number;
  private readonly newSessionKey: () => string;
  private readonly newRunId: () => string;
  private readonly q: Record<string, Statement>;
  private readonly beginTx: (owner: string, input: BeginRunInput) => BeginRunResult;

  constructor(private readonly db: Database, readonly file: string, options: ChatStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.newSessionKey = options.newSessionKey ?? (() => randomBytes(18).toString('base64url'));
    this.newRunId = options.newRunId ?? randomUUID;
    const p = (sql: string): Statement => db.prepare(sql);
    this.q = {
      insertSession: p(`INSERT INTO sessions (key, owner, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING ${SESSION_COLS}`),
      sessionOf: p(`SELECT ${SESSION_COLS} FROM sessions WHERE key = ? AND owner = ?`),
      sessionByKey: p(`SELECT ${SESSION_COLS} FROM sessions WHERE key = ?`),
      // Keyset pages (migration 4's indexes): below the cursor, never OFFSET. The owner filter is
      // always applied, whatever the cursor names, so a cursor cannot reach another person's rows.
      sessionsOf: p(`SELECT ${SESSION_COLS} FROM sessions WHERE owner = ? AND (updated_at, key) < (?, ?) ORDER BY updated_at DESC, key DESC LIMIT ?`),
      allSessions: p(`SELECT ${SESSION_COLS} FROM sessions WHERE (updated_at, key) < (?, ?) ORDER BY updated_at DESC, key DESC LIMIT ?`),
      rename: p(`UPDATE sessions SET title = ?, updated_at = ? WHERE key = ? AND owner = ? RETURNING ${SESSION_COLS}`),
      touch: p('UPDATE sessions SET updated_at = ? WHERE id = ?'),
      deleteSession: p('DELETE FROM sessions WHERE key = ? AND owner = ?'),
      runByKey: p('SELECT r.id AS runId, s.key AS sessionKey, r.owner, r.created_at AS createdAt FROM runs r JOIN sessions s ON s.id = r.session_id WHERE r.owner = ? AND r.idempotency_key = ?'),
      runOf: p('SELECT r.id AS runId, s.key AS sessionKey, r.owner, r.created_at AS createdAt FROM runs r JOIN sessions s ON s.id = r.session_id WHERE r.id = ? AND r.owner = ?'),
      insertRun: p('INSERT INTO runs (id, owner, idempotency_key, session_id, created_at) VALUES (?, ?, ?, ?, ?)'),
      insertUser: p(`INSERT INTO messages (session_id, role, author, text, created_at, state, run_id) VALUES (?, 'user', ?, ?, ?, 'complete', ?) RETURNING ${MESSAGE_COLS}`),
      insertAnswer: p(`INSERT INTO messages (session_id, role, text, created_at, model, state, run_id) SELECT session_id, 'assistant', '', ?, ?, 'streaming', id FROM runs WHERE id = ? RETURNING ${MESSAGE_COLS}`),
      setText: p(`UPDATE messages SET text = ? WHERE id = ? AND state = 'streaming'`),
      finish: p(`UPDATE messages SET state = ?, text = ?, reason = ?, prompt_tokens = ?, completion_tokens = ? WHERE id = ? AND state = 'streaming' RETURNING session_id`),
      history: p(`SELECT ${MESSAGE_COLS} FROM messages WHERE session_id = ? AND id < ? ORDER BY id DESC LIMIT ?`),
    };
    this.beginTx = db.transaction((owner: string, input: BeginRunInput) => this.beginRunInTx(owner, input)).immediate as typeof this.beginTx;
  }

  /** Runs `fn`, turning storage failures into StoreError. */
  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw toStoreError(err, this.file);
    }
  }

  createSession(owner: string, title = ''): ChatSession {
    return this.guard(() => {
      const t = this.now();
      return session(this.q.insertSession!.get(this.newSessionKey(), owner, title, t, t) as SessionRow);
    });
  }

  /**
   * One page of the owner's sessions, most recently active first (ties: the greater key first):
   * the `limit` (1 to MAX_SESSIONS_PAGE) next ones below `before` (absent: from the newest).
   */
  listSessions(owner: string, limit = 100, before?: SessionCursor): SessionPage {
    return this.sessionPage(limit, (c, n) => this.q.sessionsOf!.all(owner, c.updatedAt, c.key, n), before);
  }

  /** One page of every owner's sessions (for `operator.admin`), in the same order as listSessions. */
  listAllSessions(limit = 100, before?: SessionCursor): SessionPage {
    return this.sessionPage(limit, (c, n) => this.q.allSessions!.all(c.updatedAt, c.key, n), before);
  }

  private sessionPage(limit: number, rowsBelow: (c: SessionCursor, n: number) => unknown[], before: SessionCursor = FIRST): SessionPage {
    const n = Math.max(1, Math.min(MAX_SESSIONS_PAGE, Math.trunc(limit)));
    return this.guard(() => {
      // One row more than the page says whether another page follows.
      const rows = rowsBelow(before, n + 1) as SessionRow[];
      const more = rows.length > n;
      if (more) rows.pop();
      const sessions = rows.map(session);
      const last = sessions[sessions.length - 1];
      return more && last ? { sessions, next: { updatedAt: last.updatedAt, key: last.key } } : { sessions };
    });
  }

  /** The session with this key if `owner` owns it; undefined when it is missing or someone else's. */
  getSession(owner: string, key: string): ChatSession | undefined {
    return this.guard(() => {
      const r = this.q.sessionOf!.get(key, owner) as SessionRow | undefined;
      return r && session(r);
    });
  }

  /** Any owner's session, for an admin reading it (never for sending into it). */
  getSessionForAdmin(key: string): ChatSession | undefined {
    return this.guard(() => {
      const r = this.q.sessionByKey!.get(key) as SessionRow | undefined;
      return r && session(r);
    });
  }

  /** Renames the owner's session; undefined when it is missing or someone else's. */
  renameSession(owner: string, key: string, title: string): ChatSession | undefined {
    return this.guard(() => {
      const r = this.q.rename!.get(title, this.now(), key, owner) as SessionRow | undefined;
      return r && session(r);
    });
  }

  /** Deletes the owner's session with its messages and runs; false when missing or someone else's. */
  deleteSession(owner: string, key: string): boolean {
    return this.guard(() => this.q.deleteSession!.run(key, owner).changes > 0);
  }

  /**
   * Records a person's message and the run that will answer it (and, with `answerModel`, the
   * answer's streaming row), in one transaction: the message is stored if and only if the run is.
   * An idempotency key already used by this owner returns its run and stores nothing.
   */
  beginRun(owner: string, input: BeginRunInput): BeginRunResult {
    return this.guard(() => this.beginTx(owner, input));
  }

  private beginRunInTx(owner: string, input: BeginRunInput): BeginRunResult {
    const existing = this.q.runByKey!.get(owner, input.idempotencyKey) as ChatRun | undefined;
    if (existing) return { ok: true, created: false, run: existing };
    const t = this.now();
    let s: SessionRow | undefined;
    if (input.sessionKey === undefined) s = this.q.insertSession!.get(this.newSessionKey(), owner, input.title ?? '', t, t) as SessionRow;
    else s = this.q.sessionOf!.get(input.sessionKey, owner) as SessionRow | undefined;
    if (!s) return { ok: false, reason: 'session_not_found' };
    const runId = input.runId ?? this.newRunId();
    this.q.insertRun!.run(runId, owner, input.idempotencyKey, s.id, t);
    const userMessage = message(this.q.insertUser!.get(s.id, owner, input.text, t, runId) as MessageRow);
    const answer = input.answerModel === undefined ? undefined : message(this.q.insertAnswer!.get(t, input.answerModel, runId) as MessageRow);
    this.q.touch!.run(t, s.id);
    return { ok: true, created: true, run: { runId, sessionKey: s.key, owner, createdAt: t }, userMessage, ...(answer && { answer }) };
  }

  /** The owner's run started with this idempotency key; undefined when there is none. */
  findRun(owner: string, idempotencyKey: string): ChatRun | undefined {
    return this.guard(() => this.q.runByKey!.get(owner, idempotencyKey) as ChatRun | undefined);
  }

  /** The owner's run; undefined when it is missing or someone else's. */
  getRun(owner: string, runId: string): ChatRun | undefined {
    return this.guard(() => this.q.runOf!.get(runId, owner) as ChatRun | undefined);
  }

  /** Starts the answer of a run (state streaming, empty text); undefined when the run is gone. */
  startAnswer(runId: string, model: string): ChatMessage | undefined {
    return this.guard(() => {
      const r = this.q.insertAnswer!.get(this.now(), model, runId) as MessageRow | undefined;
      return r && message(r);
    });
  }

  /**
   * Saves the answer's text so far (the caller throttles). False when the answer is no longer
   * streaming (finished, or its session deleted).
   */
  setAnswerText(messageId: number, text: string): boolean {
    return this.guard(() => this.q.setText!.run(text, messageId).changes > 0);
  }

  /** Ends a streaming answer with its final state, text and usage. False when it was not streaming. */
  finishAnswer(messageId: number, end: FinishInput): boolean {
    return this.guard(() => {
      const reason = end.state === 'complete' ? null : end.reason;
      const r = this.q.finish!.get(end.state, end.text, reason, end.usage?.prompt ?? null, end.usage?.completion ?? null, messageId) as { session_id: number } | undefined;
      if (r) this.q.touch!.run(this.now(), r.session_id);
      return r !== undefined;
    });
  }

  /**
   * One page of a session's messages, oldest first: the `limit` latest ones before the cursor
   * `before` (a message id; absent for the newest page). Resolve `session` through getSession
   * (or getSessionForAdmin) first: this does no access check of its own.
   */
  history(session: ChatSession, limit = 50, before?: number): HistoryPage {
    const n = Math.max(1, Math.min(MAX_HISTORY_PAGE, Math.trunc(limit)));
    return this.guard(() => {
      const rows = this.q.history!.all(session.id, before ?? Number.MAX_SAFE_INTEGER, n + 1) as MessageRow[];
      const more = rows.length > n;
      if (more) rows.pop();
      const messages = rows.reverse().map(message);
      return more ? { messages, before: messages[0]!.id } : { messages };
    });
  }

  close(): void {
    this.db.close();
  }
}
