/**
 * docs/protocol.md stays in step with the code: the methods table lists every method of the
 * registry with the scope it declares, in registry order, and nothing else; the same for the /api
 * routes of the route table, the events the gateway sends and the error-frame codes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../src/gateway/http/routes.js';
import { METHODS } from '../../src/methods/index.js';
import { ERROR_CODES, EVENT_NAMES } from '../../src/protocol/frames.js';
import { REASONS } from '../../src/protocol/reasons.js';

const doc = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');

/** The rows of the first table after `## heading`, as cells (backticks removed), header and rule left out. */
function table(heading: string): string[][] {
  const start = doc.indexOf(`\n## ${heading}\n`);
  expect(start, `no "## ${heading}" section`).toBeGreaterThanOrEqual(0);
  const rest = doc.slice(start + heading.length + 5);
  const end = rest.search(/\n## /);
  const lines = (end < 0 ? rest : rest.slice(0, end)).split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (let i = first + 2; i < lines.length && lines[i]!.startsWith('|'); i++) {
    rows.push(lines[i]!.slice(1, -1).split(' | ').map((c) => c.trim()));
  }
  return rows;
}

const scopeCell = (scope: string | null) => (scope === null ? 'none' : `\`${scope}\``);

describe('docs/protocol.md', () => {
  it('lists every method with the scope the registry declares, row by row', () => {
    const rows = table('Methods');
    expect(rows.map((r) => [r[0], r[1]])).toEqual(METHODS.declarations.map((m) => [`\`${m.name}\``, scopeCell(m.scope)]));
    // Each row says what the method takes and gives.
    for (const r of rows) {
      expect(r).toHaveLength(5);
      expect(r[2], r[0]).not.toBe('');
      expect(r[3], r[0]).not.toBe('');
    }
  });

  it('lists every /api route with the scope the route table declares', () => {
    expect(table('HTTP API').map((r) => [r[0], r[1]])).toEqual([...API_ROUTES.values()].map((r) => [`\`${r.path}\``, scopeCell(r.scope)]));
  });

  it('lists every event the gateway sends', () => {
    expect(table('Events').map((r) => r[0])).toEqual(EVENT_NAMES.map((e) => `\`${e}\``));
  });

  it('lists every error-frame code, each with a reason code from the table', () => {
    const rows = table('The error frame');
    expect(rows.map((r) => r[0])).toEqual(ERROR_CODES.map((c) => `\`${c}\``));
    for (const r of rows) {
      const reason = /^`([a-z_]+)`$/.exec(r[1]!)?.[1];
      if (reason) expect((REASONS[reason as keyof typeof REASONS] as { wsError?: string } | undefined)?.wsError, r[0]).toBe(r[0]!.replace(/`/g, ''));
    }
  });

  it('documents connect and the hello-ok fields, scopes included', () => {
    expect(doc).toMatch(/\n## connect\n/);
    for (const field of ['"type": "hello-ok"', '"identity"', '"scopes"', '"server"', '"policy"']) expect(doc).toContain(field);
  });
});
