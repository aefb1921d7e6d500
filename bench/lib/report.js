/**
 * The printed table and the JSON results file.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { measured } from './stats.js';

/**
 * One line of the table: a metric for the gateway next to its baseline.
 * @typedef {object} Row
 * @property {string} metric
 * @property {string} unit
 * @property {number} gateway
 * @property {number | undefined} baseline
 * @property {number | undefined} ratio gateway / baseline (or the comparison the target uses)
 * @property {string} target human-readable target, or "" for context-only rows
 * @property {boolean | undefined} pass undefined for context-only rows
 */

/**
 * @typedef {object} FigureResult
 * @property {string} id
 * @property {string} title
 * @property {Row[]} rows
 * @property {Record<string, unknown>} [details]
 * @property {string} [note]
 * @property {string} [error] set when the figure could not be measured
 */

function fmt(x, unit) {
  if (!measured(x)) return '-';
  const digits = Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2;
  return `${x.toFixed(digits)}${unit ? ` ${unit}` : ''}`;
}

/** @param {FigureResult[]} figures */
export function renderTable(figures) {
  const head = ['figure', 'metric', 'gateway', 'baseline', 'ratio', 'target', 'result'];
  /** @type {string[][]} */
  const rows = [];
  for (const f of figures) {
    if (f.error) {
      rows.push([f.id, 'NOT MEASURED', '-', '-', '-', '-', 'ERROR']);
      continue;
    }
    for (const r of f.rows) {
      const result = r.pass === undefined ? '' : r.pass ? 'ok' : 'MISS';
      rows.push([f.id, r.metric, fmt(r.gateway, r.unit), fmt(r.baseline, r.unit), measured(r.ratio) ? `${fmt(r.ratio, '')}x` : '-', r.target, result]);
    }
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  const out = [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  for (const f of figures) {
    if (f.error) out.push(`${f.id}: NOT MEASURED: ${f.error}`);
    else if (f.note) out.push(`${f.id}: ${f.note}`);
  }
  return out.join('\n');
}

/**
 * @param {string} file
 * @param {object} data
 */
export function writeResults(file, data) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
}
