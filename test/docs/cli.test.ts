import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { ALL_CHECK_IDS, CHECKS, type CheckId } from '../../src/security/findings.js';
import { buildProgram } from '../../src/cli/main.js';

const doc = readFileSync(new URL('../../docs/cli.md', import.meta.url), 'utf8');
const program = await buildProgram();

/** The text from a heading to the next heading of the same or a higher level. */
function section(heading: string): string {
  const start = doc.indexOf(`\n${heading}\n`);
  if (start < 0) return '';
  const level = heading.indexOf(' ');
  const rest = doc.slice(start + heading.length + 1);
  const next = rest.search(new RegExp(`\\n#{1,${level}} `));
  return next < 0 ? rest : rest.slice(0, next);
}

/** Every leaf command as "group command", with its options' long flags. */
function commands(): Array<[string, string[]]> {
  const out: Array<[string, string[]]> = [];
  const walk = (c: Command, path: string[]) => {
    const subs = c.commands.filter((s) => s.name() !== 'help');
    if (!subs.length && path.length) out.push([path.join(' '), c.options.map((o) => o.long!).filter((l) => l !== '--help')]);
    for (const s of subs) walk(s, [...path, s.name()]);
  };
  walk(program, []);
  return out;
}

describe('docs/cli.md', () => {
  it.each(ALL_CHECK_IDS)('documents %s with its severities, meaning and fix', (id: CheckId) => {
    const s = section(`### ${id}`);
    expect(s, `no "### ${id}" heading`).not.toBe('');
    const severityLine = s.split('\n').find((l) => l.startsWith('Severity:')) ?? '';
    for (const sev of CHECKS[id]) expect(severityLine, `severity ${sev}`).toContain(`**${sev}**`);
    for (const other of (['critical', 'warn', 'info'] as const).filter((x) => !(CHECKS[id] as readonly string[]).includes(x))) {
      expect(severityLine).not.toContain(`**${other}**`);
    }
    expect(s).toContain('**Meaning:**');
    expect(s).toContain('**Fix:**');
  });

  it('documents no check id the catalogue does not have', () => {
    const documented = [...doc.matchAll(/^### (gateway\.\S+)$/gm)].map((m) => m[1]);
    expect(documented.filter((id) => !(ALL_CHECK_IDS as string[]).includes(id!))).toEqual([]);
  });

  it.each(commands())('documents `mayros %s` and each of its options', (name, options) => {
    const s = section(`## mayros ${name}`);
    expect(s, `no "## mayros ${name}" heading`).not.toBe('');
    for (const o of options) expect(s, `option ${o}`).toContain(o);
    expect(doc.split('\n## ')[0]).toContain(`mayros ${name}`);
  });
});
