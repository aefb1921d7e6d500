/**
 * A person's chat sessions: list (an admin: everyone's), create, rename, delete. Keys that are not
 * the caller's answer exactly like keys that do not exist (`session_not_found`).
 */
import { z } from 'zod';
import type { ChatSessionView } from '../protocol/chat.js';
import { requestError, scopeMissingError } from '../protocol/reasons.js';
import { allows } from '../protocol/scopes.js';
import { ownerOf } from '../protocol/owner.js';
import { refused, type Refusal } from '../chat/store-access.js';
import { sessionView } from '../chat/views.js';
import { answer, sessionKeySchema } from './chat.js';
import { fail, method } from './registry.js';

const titleSchema = z.string().trim().max(200, 'must be at most 200 characters');
const notFound = (): Refusal => refused(requestError('session_not_found'));

export const sessionsList = method({
  name: 'sessions.list',
  scope: 'operator.read',
  params: z.object({ all: z.boolean().optional() }).strict().optional(),
  handler: (ctx, p) => {
    const all = p?.all === true;
    // Everyone's sessions are an admin's to see: the flag needs operator.admin on top of the method's scope.
    if (all && !allows(ctx.session.scopes, 'operator.admin')) return fail(scopeMissingError('sessions.list {all: true}', 'operator.admin', ctx.session.scopes));
    const chat = ctx.gateway.chat;
    return answer(
      chat.withStore((chats) => {
        const list = all ? chats.listAllSessions() : chats.listSessions(ownerOf(ctx.session.identity));
        return { ok: true, value: { sessions: list.map((s): ChatSessionView => sessionView(s, chat.activeRunIn(s.key))) } };
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
