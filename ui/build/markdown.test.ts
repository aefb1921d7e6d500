import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALL_CODES, docsAnchor } from '../../src/protocol/reasons.js';
import { docsPage } from './docs-plugin.js';
import { escapeHtml, headingId, renderInline, renderMarkdown } from './markdown.js';

describe('renderMarkdown', () => {
  it('escapes raw HTML everywhere, including inside code', () => {
    const html = renderMarkdown('# <script>alert(1)</script>\n\nText <img src=x onerror=alert(1)> and `<b>` & "q"');
    expect(html).not.toMatch(/<script|<img|<b>/);
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('<code>&lt;b&gt;</code>');
    expect(html).toContain('&amp; &quot;q&quot;');
  });

  it('keeps the entities the docs write on purpose', () => {
    expect(escapeHtml('header_&lt;name&gt; &amp; AT&T')).toBe('header_&lt;name&gt; &amp; AT&amp;T');
  });

  it.each([
    ['javascript:alert%281%29', undefined],
    ['JavaScript:x', undefined],
    ['data:text/html,x', undefined],
    ['#token_mismatch', '#token_mismatch'],
    ['https://example.com/a', 'https://example.com/a'],
  ])('links to %s only when safe', (href, expected) => {
    const html = renderInline(`[go](${href})`);
    if (expected) expect(html).toBe(`<a href="${expected}">go</a>`);
    else expect(html).toBe('go');
  });

  it('renders headings with ids, lists with continuation lines, bold, emphasis, tables and fences', () => {
    const md = '## Two words\n\n- one\n  more\n- **two** and *three*\n\n| a | b |\n|---|---|\n| `x` | y |\n\n```\n<raw>\n```\n';
    const html = renderMarkdown(md);
    expect(html).toContain('<h2 id="two-words">Two words</h2>');
    expect(html).toContain('<li>one more</li>');
    expect(html).toContain('<li><strong>two</strong> and <em>three</em></li>');
    expect(html).toContain('<td><code>x</code></td><td>y</td>');
    expect(html).toContain('<pre><code>&lt;raw&gt;</code></pre>');
  });

  it('gives every reason code heading in docs/troubleshooting.md the id docsAnchor() links to', () => {
    const doc = readFileSync(new URL('../../docs/troubleshooting.md', import.meta.url), 'utf8');
    const page = docsPage(doc);
    for (const reason of ALL_CODES) expect(page, reason).toContain(`<h3 id="${docsAnchor(reason)}">`);
    expect(headingId('trusted_proxy_missing_header_&lt;name&gt;')).toBe('trusted_proxy_missing_header_name');
  });

  it('makes links to docs the gateway does not serve into plain text, and has no inline script or style', () => {
    const page = docsPage('# T\n\nSee [cli.md](cli.md) and [here](troubleshooting.md#token_missing).');
    expect(page).toContain('See cli.md and <a href="troubleshooting.html#token_missing">here</a>.');
    expect(page).not.toMatch(/<script|<style|style=/);
  });
});
