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

/**
 * Renders several templates that work together (a main config and the files it includes) from one
 * set of values: every placeholder of every file needs a value, and every value must be used by at
 * least one of them. Writes each to its `out` path; returns the texts in order.
 */
export function renderTemplateFiles(files: ReadonlyArray<{ template: string; out: string }>, values: Record<string, string | number>): string[] {
  const texts = files.map((f) => readFileSync(f.template, 'utf8'));
  const used = new Set(texts.flatMap(placeholdersOf));
  const unused = Object.keys(values).filter((k) => !used.has(k));
  if (unused.length) throw new Error(`${files.map((f) => f.template).join(' + ')}: none uses ${unused.map((k) => `{{${k}}}`).join(', ')}`);
  return files.map((f, i) => {
    const own = Object.fromEntries(placeholdersOf(texts[i]!).filter((k) => k in values).map((k) => [k, values[k]!]));
    const text = renderTemplate(texts[i]!, own, f.template);
    writeFileSync(f.out, text);
    return text;
  });
}

/**
 * The entries of `values` that the templates use: for values a test offers every variant of a
 * recipe (a socket path, certificate files), of which each variant's template takes some.
 */
export function usedBy(templates: readonly string[], values: Record<string, string | number>): Record<string, string | number> {
  const used = new Set(templates.flatMap((t) => placeholdersOf(readFileSync(t, 'utf8'))));
  return Object.fromEntries(Object.entries(values).filter(([k]) => used.has(k)));
}
