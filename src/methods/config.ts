/**
 * Editing the config file from the console: `config.get` reads it with its secrets masked, and
 * `config.patch` applies a merge patch to it (src/config/edit/), then puts it in force through the
 * gateway's one reload path, recorded as a reload from the console. Both need operator.admin.
 */
import { z } from 'zod';
import { formatIssues } from '../config/errors.js';
import { patchConfigFile, readConfigForEdit, type ConfigEditRefusal, type PatchApplied } from '../config/edit/index.js';
import { lockoutOf } from '../authz/lockout.js';
import type { Actor } from '../journal/types.js';
import { REASONS } from '../protocol/reasons.js';
import type { Identity } from '../protocol/identity.js';
import { pinnedIssues } from '../reload/diff.js';
import type { ReloadOutcome } from '../reload/reloader.js';
import { method, MethodRefusal, NO_PARAMS, type GatewayFacts } from './registry.js';

/** The error of a refused edit: the reason table's code and sentence, with what the console needs to act on it. */
export function editRefusal(r: ConfigEditRefusal): MethodRefusal {
  const row = REASONS[r.code];
  const base = { code: row.wsError ?? 'INTERNAL', reason: r.code } as const;
  switch (r.code) {
    case 'config_conflict':
      return new MethodRefusal({ ...base, message: row.message, details: { currentHash: r.currentHash } });
    case 'config_invalid':
      // Printed as `mayros config validate` prints them: one field per line, with its fix.
      return new MethodRefusal({ ...base, message: `${row.message}\n${formatIssues(r.issues)}`, details: { issues: r.issues } });
    case 'config_locks_you_out':
      return new MethodRefusal({ ...base, message: `${row.message} ${r.why}.`, details: { why: r.why } });
    case 'config_write_failed':
      return new MethodRefusal({ ...base, message: `${row.message} (${r.detail})`, details: { detail: r.detail } });
  }
}

function actorOf(identity: Identity): Actor {
  return identity.user !== null ? { type: 'user', id: identity.user } : { type: 'client' };
}

/**
 * Records an applied patch; false when the journal could not take it. The patch stays applied
 * then (the file is the configuration, and undoing it would be a second, unrecorded change that
 * can fail too): the failure is logged with who and which paths, and the console is told.
 */
function journalPatch(g: GatewayFacts, identity: Identity, applied: PatchApplied, baseHash: string): boolean {
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  for (const c of applied.changes) {
    if ('before' in c) before[c.path] = c.before;
    if ('after' in c) after[c.path] = c.after;
  }
  try {
    g.journal.record({ kind: 'config.patch', actor: actorOf(identity), payload: { paths: applied.changedPaths, before, after, baseHash, hash: applied.hash } });
    return true;
  } catch (err) {
    g.logger.error(
      { event: 'journal_write_failed', kind: 'config.patch', user: identity.user, method: identity.method, paths: applied.changedPaths, hash: applied.hash, error: (err as { code?: string }).code ?? (err as Error).name },
      'a config patch was applied but could not be recorded in the journal',
    );
    return false;
  }
}

/** What the console is told of the reload that followed a write. */
function reloadSummary(out: ReloadOutcome) {
  if (out.status === 'applied') return { status: out.status, generation: out.generation, changed: out.changed, sessionsClosed: out.recheck.closed, sessionsUpdated: out.recheck.updated };
  if (out.status === 'unchanged') return { status: out.status, generation: out.generation };
  return { status: out.status, generation: out.generation, issues: out.error.issues };
}

export const configGet = method({
  name: 'config.get',
  scope: 'operator.admin',
  params: NO_PARAMS,
  handler: async (ctx) => {
    const gen = ctx.gateway.generation;
    const read = await readConfigForEdit(gen.resolved.file);
    if (!read.ok) return editRefusal({ code: 'config_invalid', issues: read.issues });
    const { path, exists, hash, format, config, text, textExact } = read.value;
    return { config, hash, path, pendingRestart: gen.pendingRestart, exists, format, text, textExact };
  },
});

const HASH = /^[0-9a-f]{64}$/;

const patchParams = z
  .object({
    baseHash: z.string().regex(HASH, 'must be the hash config.get answered (64 hex digits)'),
    patch: z.record(z.string(), z.unknown()),
    confirm: z.boolean().optional(),
  })
  .strict();

export const configPatch = method({
  name: 'config.patch',
  scope: 'operator.admin',
  params: patchParams,
  handler: async (ctx, params) => {
    const g = ctx.gateway;
    const identity = ctx.session.identity;
    const file = g.generation.resolved.file;
    const { env, flags } = g.config.loadOptions;
    const out = await patchConfigFile(file, params, {
      load: { env, flags },
      // The generation in force when the file is checked (under the edit lock).
      lockout: (next) => lockoutOf(identity, g.generation.resolved, next),
      check: (next) => pinnedIssues(next, g.generation.resolved),
    });
    if (!out.ok) return editRefusal(out.refusal);
    const answer = { hash: out.hash, previousHash: out.previousHash, written: out.written, format: out.format, changedPaths: out.changedPaths, changes: out.changes, ...(out.backup && { backup: out.backup }), ...(out.lockout && { lockout: out.lockout }) };
    if (!out.written) return { ...answer, pendingRestart: g.generation.pendingRestart, journaled: false };
    g.logger.info({ event: 'config_patched', user: identity.user, method: identity.method, paths: out.changedPaths, previousHash: out.previousHash, hash: out.hash, format: out.format, confirmed: out.lockout !== undefined }, 'config file edited from the console');
    const journaled = journalPatch(g, identity, out, params.baseHash);
    const reload = reloadSummary(await g.config.reload('console'));
    return { ...answer, reload, pendingRestart: g.generation.pendingRestart, journaled };
  },
});
