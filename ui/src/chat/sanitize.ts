/**
 * The last step before a model's answer reaches the page: DOMPurify over the HTML from
 * markdown.ts, with a short list of the tags and attributes Markdown makes. Even if the Markdown
 * step let something through, no script, event handler, inline style, image, frame or form
 * survives here; links open in a new tab with no opener and no referrer.
 *
 * Needs a DOM (DOMPurify parses in an inert document): tested in Chromium (test/ui/chat.e2e.test.ts).
 */
import DOMPurify from 'dompurify';
import { markdownToHtml } from './markdown.js';

/** What Markdown renders to; nothing else is kept. */
export const ALLOWED_TAGS = Object.freeze([
  'p', 'br', 'hr', 'strong', 'em', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'thead', 'tbody', 'tr', 'th', 'td',
]);
/** `class` carries a code block's language; `align` a table column's; `start` a list's first number. */
export const ALLOWED_ATTR = Object.freeze(['href', 'title', 'class', 'align', 'start']);

const purify = DOMPurify();
purify.addHook('afterSanitizeAttributes', (node) => {
  if (node.nodeName === 'A') {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer nofollow');
  }
});

/** A model's Markdown answer as HTML that is safe to put in the page. */
export function renderAnswer(text: string): string {
  return purify.sanitize(markdownToHtml(text), {
    ALLOWED_TAGS: [...ALLOWED_TAGS],
    ALLOWED_ATTR: [...ALLOWED_ATTR],
    ALLOW_DATA_ATTR: false,
    ALLOW_ARIA_ATTR: false,
  });
}
