/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), for tests: every line
 * must be a HELP, a TYPE or a sample of a family declared before it, with valid metric and label
 * names, quoted and escaped label values and a float value; anything else throws, naming the line.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: MetricType;
  help: string;
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*';
const VALUE = '(?:[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?|[+-]Inf|NaN)';
const HELP_RE = new RegExp(`^# HELP (${NAME}) (.*)$`);
const TYPE_RE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const SAMPLE_RE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL}="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"(?:,${LABEL}="(?:[^"\\\\\\n]|\\\\[\\\\"n])*")*,?)?)\\})? (${VALUE})(?: -?\\d+)?$`);
const PAIR_RE = new RegExp(`(${LABEL})="((?:[^"\\\\\\n]|\\\\[\\\\"n])*)"`, 'g');

function parseValue(v: string): number {
  if (v === '+Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  return Number(v);
}

/** The family a sample name belongs to (histogram and summary samples carry a suffix). */
function familyOf(families: Map<string, Family>, name: string): Family | undefined {
  const exact = families.get(name);
  if (exact) return exact;
  const m = /^(.*)_(bucket|sum|count)$/.exec(name);
  const f = m ? families.get(m[1]!) : undefined;
  if (f && (f.type === 'histogram' || (f.type === 'summary' && m![2] !== 'bucket'))) return f;
  return undefined;
}

export function parsePromText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  text.slice(0, -1).split('\n').forEach((line, i) => {
    const where = `line ${i + 1}: ${JSON.stringify(line)}`;
    if (line === '') return;
    let m = HELP_RE.exec(line);
    if (m) {
      const f = families.get(m[1]!) ?? { name: m[1]!, type: 'untyped' as MetricType, help: '', samples: [] };
      f.help = m[2]!;
      families.set(f.name, f);
      return;
    }
    m = TYPE_RE.exec(line);
    if (m) {
      const f = families.get(m[1]!) ?? { name: m[1]!, type: 'untyped' as MetricType, help: '', samples: [] };
      if (f.samples.length) throw new Error(`${where}: TYPE after samples`);
      f.type = m[2] as MetricType;
      families.set(f.name, f);
      return;
    }
    if (line.startsWith('#')) return;
    m = SAMPLE_RE.exec(line);
    if (!m) throw new Error(`${where}: not a valid sample`);
    const f = familyOf(families, m[1]!);
    if (!f) throw new Error(`${where}: sample of no declared family`);
    const labels: Record<string, string> = {};
    for (const p of (m[2] ?? '').matchAll(PAIR_RE)) {
      if (p[1]! in labels) throw new Error(`${where}: label ${p[1]} repeated`);
      labels[p[1]!] = p[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    }
    f.samples.push({ name: m[1]!, labels, value: parseValue(m[3]!) });
  });
  return families;
}

/** The value of the one sample named `name` whose labels include `labels`; undefined when none. */
export function sampleValue(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
  const f = familyOf(families, name);
  const s = f?.samples.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
  return s?.value;
}

/**
 * The naming conventions (prometheus.io/docs/practices/naming): our prefix, `_total` on counters
 * and only on them, base units (seconds, bytes) rather than ms or kb, no `_count`/`_sum`/`_bucket`
 * of our own; returns the problems found.
 */
export function conventionProblems(families: Map<string, Family>, prefix: string): string[] {
  const out: string[] = [];
  for (const f of families.values()) {
    if (!f.name.startsWith(prefix)) out.push(`${f.name}: no ${prefix} prefix`);
    if (!f.help) out.push(`${f.name}: no HELP`);
    if (f.type === 'untyped') out.push(`${f.name}: no TYPE`);
    if (f.type === 'counter' && !f.name.endsWith('_total')) out.push(`${f.name}: a counter without _total`);
    if (f.type !== 'counter' && f.name.endsWith('_total')) out.push(`${f.name}: _total on a ${f.type}`);
    if (/_(ms|milliseconds|us|minutes|hours|kb|mb|kilobytes|megabytes)(_|$)/.test(f.name)) out.push(`${f.name}: not a base unit`);
    if (/_(count|sum|bucket)$/.test(f.name)) out.push(`${f.name}: a reserved suffix`);
    for (const s of f.samples) for (const l of Object.keys(s.labels)) if (l.startsWith('__')) out.push(`${f.name}: reserved label ${l}`);
  }
  return out;
}
