/**
 * `mayros journal verify|list`: read the journal of the state directory's database, read-only,
 * while a gateway may be writing it. The journal modules (and SQLite) load only when one of these
 * commands runs, so other commands start as fast as before.
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { resolveStateDir } from '../config/state-dir.js';
import { KINDS, type Actor, type JournalEntry } from '../journal/types.js';
import type { VerifyResult } from '../journal/verify.js';
import { oneOf } from './options.js';
import { parseWhen } from './when.js';

interface CommonOptions {
  db?: string;
  json?: boolean;
}

interface ListOptions extends CommonOptions {
  since?: number;
  until?: number;
  user?: string;
  kind?: string[];
  limit?: number;
  cursor?: number;
}

async function dbFile(opts: CommonOptions): Promise<string> {
  if (opts.db) return (await import('node:path')).resolve(opts.db);
  const { dbPath } = await import('../store/open.js');
  return dbPath(resolveStateDir(process.env));
}

function positiveInt(max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) throw new InvalidArgumentError(`expected a whole number from 1 to ${max}`);
    return Number(value);
  };
}

/**
 * Text from the journal that reaches a terminal: names and addresses come from clients, so control
 * characters and bidirectional overrides are shown escaped, never interpreted.
 */
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function renderActor(a: Actor): string {
  switch (a.type) {
    case 'user':
      return printable(a.id);
    case 'claimed':
      return `${printable(a.id)} (claimed, not verified)`;
    case 'client':
      return '(client without a name)';
    case 'anonymous':
      return '(no identity)';
    case 'system':
      return '(gateway)';
  }
}

/** One line per entry: time, seq, kind, actor, payload. */
export function renderEntryLine(e: JournalEntry): string {
  return `${new Date(e.time).toISOString()}  #${e.seq}  ${printable(e.kind)}  ${renderActor(e.actor)}  ${printable(e.payload)}`;
}

export function renderVerify(result: VerifyResult, file: string, describe: (f: Extract<VerifyResult, { ok: false }>['failure']) => string): string {
  if (!result.ok) return `journal verify FAILED (${file}): ${describe(result.failure)}\n  first bad entry: seq ${result.failure.seq} (${result.failure.problem}); ${result.entries} entries before it verified\n`;
  if (!result.head) return `journal ok (${file}): empty\n`;
  const pruned = result.anchor ? `; entries up to ${result.anchor.throughSeq} removed by retention (anchor ${result.anchor.seq})` : '';
  return `journal ok (${file}): ${result.entries} entries, ${result.first} to ${result.head.seq}${pruned}\n  head: ${result.head.seq} ${result.head.hash}\n`;
}

/** The payload as JSON; a stored text that is not JSON (a damaged row: verify names it) stays text. */
function parsedPayload(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

async function withJournal<T>(opts: CommonOptions, fn: (db: import('better-sqlite3').Database, file: string) => T): Promise<T | undefined> {
  const file = await dbFile(opts);
  const { openJournalReadOnly, JournalOpenError } = await import('../journal/open.js');
  let db: import('better-sqlite3').Database;
  try {
    db = openJournalReadOnly(file);
  } catch (err) {
    if (!(err instanceof JournalOpenError)) throw err;
    process.stderr.write(`mayros: ${err.message}\n`);
    process.exitCode = 2;
    return undefined;
  }
  try {
    return fn(db, file);
  } finally {
    db.close();
  }
}

async function verify(opts: CommonOptions): Promise<void> {
  const { verifyJournal, describeFailure } = await import('../journal/verify.js');
  await withJournal(opts, (db, file) => {
    const result = verifyJournal(db);
    if (opts.json) process.stdout.write(`${JSON.stringify(result.ok ? result : { ...result, message: describeFailure(result.failure) }, null, 2)}\n`);
    else process.stdout.write(renderVerify(result, file, describeFailure));
    if (!result.ok) process.exitCode = 1;
  });
}

async function list(opts: ListOptions): Promise<void> {
  const { listJournal } = await import('../journal/list.js');
  await withJournal(opts, (db) => {
    const page = listJournal(db, { since: opts.since, until: opts.until, user: opts.user, kinds: opts.kind, limit: opts.limit, cursor: opts.cursor });
    if (opts.json) {
      const entries = page.entries.map((e) => ({ ...e, payload: parsedPayload(e.payload) }));
      process.stdout.write(`${JSON.stringify({ entries, nextCursor: page.nextCursor }, null, 2)}\n`);
      return;
    }
    // Oldest first, like a log: the page is the newest `limit` entries.
    const lines = page.entries.map(renderEntryLine).reverse();
    if (!lines.length) lines.push('no entries match');
    if (page.nextCursor !== undefined) lines.push(`(older entries: --cursor ${page.nextCursor})`);
    process.stdout.write(`${lines.join('\n')}\n`);
  });
}

export function registerJournalCommands(program: Command): void {
  const journal = program.command('journal').description('read the tamper-evident journal of who did what (read-only; works while the gateway runs)');
  const dbOption = '--db <file>';
  const dbHelp = 'database file (default: $MAYROS_STATE_DIR/mayros.db)';

  journal
    .command('verify')
    .description('check the hash chain: exit 0 when intact, 1 with the first bad entry, 2 when the database cannot be opened')
    .option(dbOption, dbHelp)
    .option('--json', 'print the result as JSON only')
    .action((opts: CommonOptions) => verify(opts));

  journal
    .command('list')
    .description('print entries, oldest first, filtered by time, person and kind')
    .option('--since <when>', 'entries from this time on: 90s, 15m, 1h, 2d, 1w back, or a UTC date/time (2026-11-27T10:00)', (v) => parseWhen(v))
    .option('--until <when>', 'entries before this time (same forms as --since)', (v) => parseWhen(v))
    .option('--user <id>', 'entries whose actor is this identity (verified, or claimed by a refused request)')
    .option('--kind <kind...>', `entries of these kinds: ${KINDS.join(', ')}`, (v: string, prev: string[] | undefined) => [...(prev ?? []), oneOf(KINDS)(v)])
    .option('--limit <n>', 'at most this many, the newest (default 100, at most 1000)', positiveInt(1000))
    .option('--cursor <seq>', 'continue with entries older than this seq (printed at the end of a full page)', positiveInt(Number.MAX_SAFE_INTEGER))
    .option('--json', 'print {"entries": [newest first], "nextCursor"} as JSON only')
    .option(dbOption, dbHelp)
    .action((opts: ListOptions) => list(opts));
}
