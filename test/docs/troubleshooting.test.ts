import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALL_REASONS, REASONS } from '../../src/auth/reasons.js';
import { ALL_PROVIDER_REASONS, PROVIDER_REASONS } from '../../src/models/reasons.js';

const doc = readFileSync(new URL('../../docs/troubleshooting.md', import.meta.url), 'utf8');

/** The heading each reason has in the docs (the header variant shows its pattern). */
function heading(reason: string): string {
  return reason === 'trusted_proxy_missing_header' ? '### trusted_proxy_missing_header_&lt;name&gt;' : `### ${reason}`;
}

function section(reason: string): string {
  const h = heading(reason);
  const start = doc.indexOf(`${h}\n`);
  if (start < 0) return '';
  const rest = doc.slice(start + h.length);
  const next = rest.search(/\n##+ /);
  return next < 0 ? rest : rest.slice(0, next);
}

describe('docs/troubleshooting.md', () => {
  it.each(ALL_REASONS)('has an entry for %s with its status, close code, meaning, causes and fix', (reason) => {
    const s = section(reason);
    expect(s, `no "${heading(reason)}" heading`).not.toBe('');
    const info = REASONS[reason];
    expect(s).toContain(`HTTP ${info.status}`);
    expect(s).toContain(`WebSocket close ${info.closeCode}`);
    expect(s).toMatch(/\*\*Meaning:\*\*/);
    expect(s).toMatch(/\*\*Causes:\*\*/);
    expect(s).toMatch(/\*\*Fix:\*\*/);
  });

  // Provider codes end a chat answer, not a connection: no close code (src/models/reasons.ts).
  it.each(ALL_PROVIDER_REASONS)('has an entry for %s with its status, meaning, causes and fix', (reason) => {
    const s = section(reason);
    expect(s, `no "${heading(reason)}" heading`).not.toBe('');
    expect(s).toContain(`HTTP ${PROVIDER_REASONS[reason].status} · chat answer \`error\``);
    expect(s).toMatch(/\*\*Meaning:\*\*/);
    expect(s).toMatch(/\*\*Causes:\*\*/);
    expect(s).toMatch(/\*\*Fix:\*\*/);
  });

  it('documents no code that the tables do not have', () => {
    const headings = [...doc.matchAll(/^### (\S+)$/gm)].map((m) => m[1]!.replace('_&lt;name&gt;', ''));
    const known = new Set<string>([...ALL_REASONS, ...ALL_PROVIDER_REASONS]);
    expect(headings.filter((h) => !known.has(h))).toEqual([]);
  });
});
