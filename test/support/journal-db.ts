/**
 * Journals for tests: an in-memory (or file) database migrated to the latest schema, entries with
 * varied kinds and actors, and the tamperings an attacker with write access to the file could do
 * (triggers dropped first, as such an attacker would).
 */
import Database from 'better-sqlite3';
import { migrate } from '../../src/store/migrations.js';
import { Journal } from '../../src/journal/journal.js';
import type { JournalInput } from '../../src/journal/types.js';

export function memoryJournal(start = 1_700_000_000_000): { db: Database.Database; journal: Journal; clock: { t: number } } {
  const db = new Database(':memory:');
  migrate(db, ':memory:');
  const clock = { t: start };
  return { db, journal: new Journal(db, ':memory:', { now: () => clock.t }), clock };
}

/** The i-th of a varied stream of entries. */
export function sampleEntry(i: number): JournalInput {
  switch (i % 5) {
    case 0:
      return { kind: 'config.patch', actor: { type: 'user', id: 'admin@example.com' }, payload: { paths: ['gateway.auth.trustedProxy.allowUsers'], before: { 'gateway.auth.trustedProxy.allowUsers': ['a@example.com'] }, after: { 'gateway.auth.trustedProxy.allowUsers': [`u${i}@example.com`] }, baseHash: 'b'.repeat(64), hash: 'c'.repeat(64) } };
    case 1:
      return { kind: 'auth.refuse', actor: { type: 'claimed', id: `mallory${i}@example.com` }, payload: { reason: 'trusted_proxy_user_not_allowed', claimedUser: `mallory${i}@example.com`, surface: 'ws', peer: '127.0.0.2' } };
    case 2:
      return { kind: 'chat.run', actor: { type: 'user', id: 'alice@example.com' }, payload: { runId: `r${i}`, sessionKey: `s${i % 7}`, model: 'local/llama3.2', state: 'final', usage: { prompt: i, completion: 2 * i } } };
    case 3:
      return { kind: 'auth.admit', actor: { type: 'user', id: 'alice@example.com' }, payload: { user: 'alice@example.com', method: 'trusted-proxy', surface: 'http', peer: '127.0.0.1' } };
    default:
      return { kind: 'reload', actor: { type: 'system' }, payload: { source: 'file', result: 'applied', generation: i, paths: ['gateway.auth'] } };
  }
}

/** Appends n sample entries, one millisecond apart. */
export function fill(journal: Journal, clock: { t: number }, n: number, from = 0): void {
  for (let i = from; i < from + n; i++) {
    journal.append(sampleEntry(i));
    clock.t += 1;
  }
}

/** Drops the append-only triggers, as someone editing the file directly would. */
export function dropTriggers(db: Database.Database): void {
  db.exec('DROP TRIGGER IF EXISTS journal_no_update; DROP TRIGGER IF EXISTS journal_no_delete;');
}
