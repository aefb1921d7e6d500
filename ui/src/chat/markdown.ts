/**
 * Model output as HTML: Markdown (GitHub flavour, with code blocks) through `marked`, with every
 * piece of raw HTML in the answer shown as text, never as markup. A model's answer is untrusted:
 * it may repeat a web page, or follow a prompt injection that asks it to emit `<img onerror>`.
 * The HTML made here still goes through DOMPurify (sanitize.ts) before it reaches the page; this
 * first step makes sure nothing a model writes is even meant as markup.
 *
 * Images are shown as links, never loaded: an image URL a model writes could carry the
 * conversation to another server the moment it renders (and the page's CSP would block it).
 *
 * Pure (no DOM), so it is tested in Node.
 */
import { Marked, type Tokens } from 'marked';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe to put between tags or in a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/**
 * Links a person may follow: web and mail addresses, and addresses relative to the page. Anything
 * else (javascript:, data:, vbscript:, ...) is shown as its text only.
 */
export function safeHref(href: string): boolean {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(href.trim());
  return !scheme || ['http', 'https', 'mailto'].includes(scheme[1]!.toLowerCase());
}

const md = new Marked({
  gfm: true,
  breaks: true,
  renderer: {
    // Raw HTML, block or inline: shown as the characters the model wrote.
    html(token: Tokens.HTML | Tokens.Tag): string {
      const shown = escapeHtml(token.text);
      return 'block' in token && token.block ? `<p>${shown.trimEnd()}</p>\n` : shown;
    },
    link({ href, title, tokens }: Tokens.Link): string {
      const inner = this.parser.parseInline(tokens);
      if (!safeHref(href)) return inner;
      return `<a href="${escapeHtml(href)}"${title ? ` title="${escapeHtml(title)}"` : ''}>${inner}</a>`;
    },
    image({ href, text }: Tokens.Image): string {
      const label = escapeHtml(text ? `image: ${text}` : 'image');
      return safeHref(href) ? `<a href="${escapeHtml(href)}">${label}</a>` : label;
    },
    // Task-list boxes as text: a form control in an answer would do nothing.
    checkbox({ checked }: Tokens.Checkbox): string {
      return checked ? '[x] ' : '[ ] ';
    },
  },
});

/** The HTML for a model's Markdown answer (to be sanitized before it is shown). */
export function markdownToHtml(text: string): string {
  return md.parse(text, { async: false });
}
