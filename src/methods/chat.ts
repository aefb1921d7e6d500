/**
 * Chat: send a message and receive the answer as `chat` events, stop an answer, read a session's
 * history. The work is done by the gateway's ChatRuns (src/chat/runs.ts); these declare the wire.
 */
import { z } from 'zod';
import type { ChatHistoryResult } from '../protocol/chat.js';
import { requestError } from '../protocol/reasons.js';
import { allows } from '../protocol/scopes.js';
import { ownerOf } from '../protocol/owner.js';
import type { Outcome } from '../chat/store-access.js';
import { messageView } from '../chat/views.js';
import { MAX_HISTORY_PAGE } from '../store/chat-sessions.js';
import { fail, method } from './registry.js';

/** A session key as the server makes them (24 URL-safe characters); longer input is refused early. */
export const sessionKeySchema = z.string().min(1).max(64);

/** The payload, or the refusal as an error frame. */
export function answer<T>(o: Outcome<T>): T | ReturnType<typeof fail> {
  return o.ok ? o.value : fail(o.error);
}

/** The same, for an outcome that may come later. */
function answerLater<T>(o: Outcome<T> | Promise<Outcome<T>>): T | ReturnType<typeof fail> | Promise<T | ReturnType<typeof fail>> {
  return o instanceof Promise ? o.then(answer) : answer(o);
}

export const chatSend = method({
  name: 'chat.send',
  scope: 'operator.write',
  params: z
    .object({
      sessionKey: sessionKeySchema.optional(),
      message: z.string().trim().min(1, 'must not be empty'),
      idempotencyKey: z.string().min(1).max(128),
    })
    .strict(),
  handler: (ctx, p) => answerLater(ctx.gateway.chat.send(ctx.session.identity, p, ctx.emitTo)),
});

export const chatAbort = method({
  name: 'chat.abort',
  scope: 'operator.write',
  params: z.object({ runId: z.string().min(1).max(128) }).strict(),
  handler: (ctx, p) => answer(ctx.gateway.chat.abort(ctx.session.identity, p.runId)),
});

export const chatHistory = method({
  name: 'chat.history',
  scope: 'operator.read',
  params: z
    .object({
      sessionKey: sessionKeySchema,
      limit: z.number().int().min(1).max(MAX_HISTORY_PAGE).optional(),
      before: z.number().int().min(1).optional(),
    })
    .strict(),
  handler: (ctx, p) => {
    const chat = ctx.gateway.chat;
    // An admin reads any session (never sends into one); everyone else only their own.
    const admin = allows(ctx.session.scopes, 'operator.admin');
    return answer(
      chat.withStore((chats): Outcome<ChatHistoryResult> => {
        const session = admin ? chats.getSessionForAdmin(p.sessionKey) : chats.getSession(ownerOf(ctx.session.identity), p.sessionKey);
        if (!session) return { ok: false, error: requestError('session_not_found') };
        const page = chats.history(session, p.limit ?? 50, p.before);
        const out: ChatHistoryResult = { sessionKey: session.key, messages: page.messages.map(messageView) };
        if (page.before !== undefined) out.before = page.before;
        return { ok: true, value: out };
      }),
    );
  },
});
