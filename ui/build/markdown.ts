/**
 * A small Markdown-to-HTML renderer for the docs pages the gateway serves next to the Control
 * UI. It knows only what our docs use (headings, paragraphs, lists, fenced code, tables,
 * `code`, **bold**, *emphasis*, links) and escapes everything else, so its output is safe to
 * serve under the UI's Content-Security-Policy without a sanitizer.
 */

/** Entities the docs write on purpose (`&lt;name&gt;`); every other `&` is escaped. */
const ENTITY = /^&(?:lt|gt|amp|quot|#39|#\d{1,6});/;

/** Escapes text for HTML, keeping the entities listed above. */
export function escapeHtml(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '&') {
      const m = ENTITY.exec(text.slice(i));
      if (m) {
        out += m[0];
        i += m[0].length - 1;
      } else {
        out += '&amp;';
      }
    } else if (c === '<') out += '&lt;';
    else if (c === '>') out += '&gt;';
    else if (c === '"') out += '&quot;';
    else if (c === "'") out += '&#39;';
    else out += c;
  }
  return out;
}

/**
 * The id of a heading: its text with entities decoded, lowercased, spaces turned into hyphens,
 * and everything but letters, digits, `_` and `-` dropped. `trusted_proxy_missing_header_&lt;name&gt;`
 * becomes `trusted_proxy_missing_header_name`, which is what `docsAnchor()` links to.
 */
export function headingId(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/`/g, '')
    .trim()
    .toLowerCase()
    .replace(/\s+/g, '-')
    .replace(/[^a-z0-9_-]/g, '');
}

export interface RenderOptions {
  /** Rewrites a relative link target; return undefined to render the label as plain text. */
  linkTarget?: (href: string) => string | undefined;
}

function safeHref(href: string, opts: RenderOptions): string | undefined {
  if (href.startsWith('#')) return href;
  if (/^https?:\/\//i.test(href)) return href;
  if (/^[a-z][a-z0-9+.-]*:/i.test(href)) return undefined; // javascript:, data:, ...
  return opts.linkTarget ? opts.linkTarget(href) : href;
}

/** Renders inline Markdown (code spans first, so nothing inside them is interpreted). */
export function renderInline(text: string, opts: RenderOptions = {}): string {
  const parts = text.split(/(`[^`]+`)/);
  return parts
    .map((part) => {
      if (part.length > 1 && part.startsWith('`') && part.endsWith('`')) return `<code>${escapeHtml(part.slice(1, -1))}</code>`;
      let s = escapeHtml(part);
      s = s.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_m, label: string, rawHref: string) => {
        const href = safeHref(rawHref.replace(/&amp;/g, '&'), opts);
        return href === undefined ? label : `<a href="${escapeHtml(href)}">${label}</a>`;
      });
      s = s.replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
      s = s.replace(/(^|[^*\w])\*([^*\s][^*]*)\*(?![*\w])/g, '$1<em>$2</em>');
      return s;
    })
    .join('');
}

function renderTable(rows: string[], opts: RenderOptions): string {
  const cells = (row: string) => row.replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => renderInline(c.trim(), opts));
  const [head, , ...body] = rows;
  const th = cells(head!).map((c) => `<th>${c}</th>`).join('');
  const trs = body.map((r) => `<tr>${cells(r).map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table>\n<thead><tr>${th}</tr></thead>\n<tbody>\n${trs}\n</tbody>\n</table>`;
}

/** Renders a Markdown document to an HTML fragment. */
export function renderMarkdown(markdown: string, opts: RenderOptions = {}): string {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  let i = 0;
  const isBlockStart = (l: string) => /^(#{1,6} |```|- |\* |\d+\. |\|)/.test(l);
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '') {
      i++;
      continue;
    }
    const heading = /^(#{1,6}) (.*)$/.exec(line);
    if (heading) {
      const level = heading[1]!.length;
      const text = heading[2]!.trim();
      out.push(`<h${level} id="${headingId(text)}">${renderInline(text, opts)}</h${level}>`);
      i++;
      continue;
    }
    if (line.startsWith('```')) {
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i]!.startsWith('```')) body.push(lines[i++]!);
      i++; // closing fence
      out.push(`<pre><code>${escapeHtml(body.join('\n'))}</code></pre>`);
      continue;
    }
    if (line.startsWith('|')) {
      const rows: string[] = [];
      while (i < lines.length && lines[i]!.startsWith('|')) rows.push(lines[i++]!);
      out.push(renderTable(rows, opts));
      continue;
    }
    const bullet = /^(- |\* |\d+\. )/;
    if (bullet.test(line)) {
      const ordered = /^\d+\. /.test(line);
      const items: string[] = [];
      while (i < lines.length && (bullet.test(lines[i]!) || (/^\s+\S/.test(lines[i]!) && items.length))) {
        const l = lines[i++]!;
        if (bullet.test(l)) items.push(l.replace(bullet, ''));
        else items[items.length - 1] += ' ' + l.trim();
      }
      const tag = ordered ? 'ol' : 'ul';
      out.push(`<${tag}>\n${items.map((it) => `<li>${renderInline(it, opts)}</li>`).join('\n')}\n</${tag}>`);
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== '' && !(para.length && isBlockStart(lines[i]!))) para.push(lines[i++]!.trim());
    out.push(`<p>${renderInline(para.join(' '), opts)}</p>`);
  }
  return out.join('\n');
}
