/**
 * A person's chat sessions: list (an admin: everyone's) one page at a time, create, rename, delete.
 * Keys that are not the caller's answer exactly like keys that do not exist (`session_not_found`).
 */
import { z } from 'zod';
import type { ChatSessionView, SessionsListResult } from '../protocol/chat.js';
import { requestError, scopeMissingError } from '../protocol/reasons.js';
import { allows } from '../protocol/scopes.js';
import { ownerOf } from '../protocol/owner.js';
import { refused, type Refusal } from '../chat/store-access.js';
import { decodeSessionCursor, encodeSessionCursor } from '../chat/session-cursor.js';
import { sessionView } from '../chat/views.js';
import { MAX_SESSIONS_PAGE } from '../store/chat-sessions.js';
import { answer, sessionKeySchema } from './chat.js';
import { fail, method } from './registry.js';

const titleSchema = z.string().trim().max(200, 'must be at most 200 characters');
const notFound = (): Refusal => refused(requestError('session_not_found'));

/** The sessions one page holds when the caller does not say. */
export const DEFAULT_SESSIONS_PAGE = 100;

/** A cursor a previous page returned as `next`, decoded; anything else is refused naming `before`. */
const cursorSchema = z
  .string()
  .max(200)
  .transform((text, ctx) => {
    const c = decodeSessionCursor(text);
    if (c) return c;
    ctx.addIssue({ code: 'custom', message: 'must be the `next` of an earlier sessions.list answer, passed back unchanged (omit it for the first page)' });
    return z.NEVER;
  });

export const sessionsList = method({
  name: 'sessions.list',
  scope: 'operator.read',
  params: z
    .object({
      all: z.boolean().optional(),
      limit: z.number().int(`must be a whole number from 1 to ${MAX_SESSIONS_PAGE}`).min(1, `must be from 1 to ${MAX_SESSIONS_PAGE}`).max(MAX_SESSIONS_PAGE, `must be from 1 to ${MAX_SESSIONS_PAGE}`).optional(),
      before: cursorSchema.optional(),
    })
    .strict()
    .optional(),
  handler: (ctx, p) => {
    const all = p?.all === true;
    // Everyone's sessions are an admin's to see: the flag needs operator.admin on top of the method's scope.
    if (all && !allows(ctx.session.scopes, 'operator.admin')) return fail(scopeMissingError('sessions.list {all: true}', 'operator.admin', ctx.session.scopes));
    const chat = ctx.gateway.chat;
    return answer(
      chat.withStore((chats) => {
        const limit = p?.limit ?? DEFAULT_SESSIONS_PAGE;
        // The own list is always filtered by owner: a cursor naming someone else's session only
        // positions the page within the caller's own sessions.
        const page = all ? chats.listAllSessions(limit, p?.before) : chats.listSessions(ownerOf(ctx.session.identity), limit, p?.before);
        const out: SessionsListResult = { sessions: page.sessions.map((s): ChatSessionView => sessionView(s, chat.activeRunIn(s.key))) };
        if (page.next) out.next = encodeSessionCursor(page.next);
        return { ok: true, value: out };
      }),
    );
  },
});

export const sessionsCreate = method({
  name: 'sessions.create',
  scope: 'operator.write',
  params: z.object({ title: titleSchema.optional() }).strict().optional(),
  handler: (ctx, p) => answer(ctx.gateway.chat.withStore((chats) => ({ ok: true, value: sessionView(chats.createSession(ownerOf(ctx.session.identity), p?.title ?? ''), undefined) }))),
});

export const sessionsRename = method({
  name: 'sessions.rename',
  scope: 'operator.write',
  params: z.object({ sessionKey: sessionKeySchema, title: titleSchema }).strict(),
  handler: (ctx, p) => {
    const chat = ctx.gateway.chat;
    return answer(
      chat.withStore((chats) => {
        const s = chats.renameSession(ownerOf(ctx.session.identity), p.sessionKey, p.title);
        return s ? { ok: true, value: sessionView(s, chat.activeRunIn(s.key)) } : notFound();
      }),
    );
  },
});

export const sessionsDelete = method({
  name: 'sessions.delete',
  scope: 'operator.write',
  params: z.object({ sessionKey: sessionKeySchema }).strict(),
  handler: (ctx, p) => {
    const chat = ctx.gateway.chat;
    const identity = ctx.session.identity;
    return answer(
      chat.withStore((chats) => {
        if (!chats.getSession(ownerOf(identity), p.sessionKey)) return notFound();
        // Stop the answer first: it ends `aborted` (chat_session_deleted) for the owner's tabs.
        chat.stopSession(p.sessionKey, 'chat_session_deleted');
        if (!chats.deleteSession(ownerOf(identity), p.sessionKey)) return notFound();
        chat.recordDelete(identity, p.sessionKey);
        return { ok: true, value: { sessionKey: p.sessionKey, deleted: true } };
      }),
    );
  },
});
