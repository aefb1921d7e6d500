/**
 * The reason table (src/protocol/reasons.ts) and docs/troubleshooting.md stay in step: every code
 * has an entry with its status, close or error code, meaning, causes and fix, and the page has no
 * entry for a code the table lacks. The source scan below keeps the gateway from sending a code,
 * status or close code that is not in the table.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_CODES, REASONS, type ReasonCode } from '../../src/protocol/reasons.js';
import { ERROR_CODES } from '../../src/protocol/frames.js';

const root = new URL('../../', import.meta.url);
const doc = readFileSync(new URL('docs/troubleshooting.md', root), 'utf8');

/** The heading each code has in the docs (the header variant shows its pattern). */
function heading(code: string): string {
  return code === 'trusted_proxy_missing_header' ? '### trusted_proxy_missing_header_&lt;name&gt;' : `### ${code}`;
}

function section(code: string): string {
  const h = heading(code);
  const start = doc.indexOf(`${h}\n`);
  if (start < 0) return '';
  const rest = doc.slice(start + h.length);
  const next = rest.search(/\n##+ /);
  return next < 0 ? rest : rest.slice(0, next);
}

/** The line under the heading: what the gateway sends for the code. */
function sendsLine(code: ReasonCode): string {
  const row = REASONS[code];
  // Extra response headers the page mentions (WWW-Authenticate goes with every 401 and is not repeated).
  const extra = Object.keys(row.headers ?? {}).filter((h) => h !== 'www-authenticate');
  if ('retryAfter' in row && row.retryAfter) extra.push('retry-after');
  const named = extra.map((h) => `\`${h.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase())}\``);
  const parts = [`HTTP ${row.status}${named.length ? ` (with ${named.join(', ')})` : ''}`];
  if (row.kind === 'provider') parts.push('chat answer `error`');
  else if (row.kind === 'store') parts.push('chat store');
  else if (row.kind === 'run') parts.push('chat answer `aborted` or `incomplete`');
  else if ('closeCode' in row) parts.push(`WebSocket close ${row.closeCode}`);
  else if (row.wsError) parts.push(`WebSocket error \`${row.wsError}\``);
  return parts.join(' · ');
}

describe('docs/troubleshooting.md', () => {
  it.each(ALL_CODES)('has an entry for %s with what it sends, its meaning, causes and fix', (code) => {
    const s = section(code);
    expect(s, `no "${heading(code)}" heading`).not.toBe('');
    expect(s.split('\n')[1]).toBe(sendsLine(code));
    expect(s).toMatch(/\*\*Meaning:\*\*/);
    expect(s).toMatch(/\*\*Causes:\*\*/);
    expect(s).toMatch(/\*\*Fix:\*\*/);
  });

  it('documents no code that the table does not have', () => {
    const headings = [...doc.matchAll(/^### (\S+)$/gm)].map((m) => m[1]!.replace('_&lt;name&gt;', ''));
    const known = new Set<string>(ALL_CODES);
    expect(headings.filter((h) => !known.has(h))).toEqual([]);
  });
});

/** Every .ts file under `dir` (tests excluded): the code that answers requests and closes sockets. */
function sources(dir: string): Array<{ file: string; text: string }> {
  const out: Array<{ file: string; text: string }> = [];
  for (const e of readdirSync(new URL(dir, root), { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !e.name.endsWith('.ts') || e.name.endsWith('.test.ts')) continue;
    const file = join(e.parentPath, e.name);
    out.push({ file, text: readFileSync(file, 'utf8') });
  }
  return out;
}

describe('every code the gateway can send has a row', () => {
  // The adapters (src/gateway/) and the methods they dispatch to (src/methods/, once it exists).
  const files = [...sources('src/gateway/'), ...(readdirSync(new URL('src/', root)).includes('methods') ? sources('src/methods/') : [])];
  const known = new Set<string>(ALL_CODES);

  it('scans the adapters', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it('closes sockets only with a close code from the table (no number written out)', () => {
    const bare = files.flatMap(({ file, text }) => [...text.matchAll(/\.close\(\s*\d+/g)].map((m) => `${file}: ${m[0]}`));
    expect(bare).toEqual([]);
  });

  it('answers errors only with a status from the table (no 4xx/5xx written out)', () => {
    const bare = files.flatMap(({ file, text }) => [...text.matchAll(/\b(?:writeHead|sendJson|sendJsonText|refuseRaw)\([^;]*?\b[45]\d\d\b/g)].map((m) => `${file}: ${m[0]}`));
    expect(bare).toEqual([]);
  });

  it('sends, logs and compares only reason codes that have a row', () => {
    const codes = files.flatMap(({ file, text }) =>
      [...text.matchAll(/\breason(?:\s*[:=]{1,3}\s*|\(\s*)'([a-z0-9_]+)'/g), ...text.matchAll(/\b(?:refuseRaw|frameError|sendRefusal)\([^'()\n]*'([a-z0-9_]+)'/g)]
        .map((m) => m[1]!)
        .filter((c) => !known.has(c))
        .map((c) => `${file}: ${c}`),
    );
    expect(codes).toEqual([]);
  });

  it('has a row for every WebSocket error code', () => {
    const used = new Set(ALL_CODES.map((c) => REASONS[c]).flatMap((r) => ('wsError' in r && r.wsError ? [r.wsError] : [])));
    expect(ERROR_CODES.filter((c) => !used.has(c))).toEqual([]);
  });
});
