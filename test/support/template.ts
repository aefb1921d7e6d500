/**
 * Renders the proxy config templates shipped in examples/proxies/. A placeholder is `{{NAME}}`
 * (capitals, digits, underscores). Rendering fails on a placeholder without a value and on a value
 * the template never uses, so a test and its template cannot drift apart silently.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const PLACEHOLDER = /\{\{([A-Z][A-Z0-9_]*)\}\}/g;

/** The placeholders a template uses, in order of first use. */
export function placeholdersOf(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

export function renderTemplate(text: string, values: Record<string, string | number>, what = 'template'): string {
  const used = placeholdersOf(text);
  const missing = used.filter((k) => !(k in values));
  if (missing.length) throw new Error(`${what}: no value for ${missing.map((k) => `{{${k}}}`).join(', ')}`);
  const unused = Object.keys(values).filter((k) => !used.includes(k));
  if (unused.length) throw new Error(`${what}: does not use ${unused.map((k) => `{{${k}}}`).join(', ')}`);
  return text.replace(PLACEHOLDER, (_m, k: string) => String(values[k]));
}

/** Reads `template`, renders it and writes the result to `out`. */
export function renderTemplateFile(template: string, out: string, values: Record<string, string | number>): string {
  const text = renderTemplate(readFileSync(template, 'utf8'), values, template);
  writeFileSync(out, text);
  return text;
}
