/**
 * Reading the journal from a console: `journal.list`, the `mayros journal list` of the WebSocket.
 */
import { z } from 'zod';
import { listJournal, MAX_LIST_LIMIT, type ListQuery } from '../journal/list.js';
import { KINDS, type JournalKind, type JournalListEntry, type JournalListResult } from '../journal/types.js';
import { method, type GatewayFacts } from './registry.js';

const time = (field: string) => z.number({ error: `${field} must be milliseconds since the epoch (e.g. Date.now() - 3600000 for the last hour)` }).int().min(0);
const kind = z.enum(KINDS as [JournalKind, ...JournalKind[]], { error: `kind must be one of ${KINDS.join(', ')}` });

/** The params: the options of `mayros journal list`, times in ms since the epoch. */
export const journalListParams = z
  .strictObject({
    since: time('since').optional(),
    until: time('until').optional(),
    user: z.string().min(1).max(256).optional(),
    kind: z.union([kind, z.array(kind).min(1).max(KINDS.length)]).optional(),
    limit: z.number().int().min(1).max(MAX_LIST_LIMIT).optional(),
    cursor: z.number().int().min(1).optional(),
  })
  .optional();

export type JournalListParams = z.output<typeof journalListParams>;

function parsed(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Runs a validated query against the gateway's database. */
export function journalList(gateway: Pick<GatewayFacts, 'database'>, params: JournalListParams): JournalListResult {
  const database = gateway.database;
  if (database.state === 'unavailable') return { entries: [], unavailable: { reason: database.error.code, message: database.error.message } };
  if (database.state === 'off') return { entries: [], unavailable: { reason: null, message: 'this gateway runs without a database, so it keeps no journal' } };
  const p = params ?? {};
  const query: ListQuery = { since: p.since, until: p.until, user: p.user, kinds: p.kind === undefined ? undefined : typeof p.kind === 'string' ? [p.kind] : p.kind, limit: p.limit, cursor: p.cursor };
  const page = listJournal(database.db, query);
  const entries = page.entries.map((e): JournalListEntry => ({ seq: e.seq, time: e.time, actor: e.actor, kind: e.kind, payload: parsed(e.payload), hash: e.hash }));
  return page.nextCursor === undefined ? { entries } : { entries, nextCursor: page.nextCursor };
}

/** `journal.list {since?, until?, user?, kind?, limit?, cursor?}`: entries newest first, one page at a time. */
export const journalListMethod = method({ name: 'journal.list', scope: 'operator.admin', params: journalListParams, handler: (ctx, params) => journalList(ctx.gateway, params) });
