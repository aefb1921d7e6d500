import { describe, expect, it } from 'vitest';
import { escapeHtml, markdownToHtml, safeHref } from './markdown.js';

describe('markdownToHtml: model output is Markdown, never HTML', () => {
  it.each([
    ['<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;'],
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['hi <b onclick="x()">there</b>', 'hi &lt;b onclick=&quot;x()&quot;&gt;there&lt;/b&gt;'],
    ['<style>body{display:none}</style>', '&lt;style&gt;body{display:none}&lt;/style&gt;'],
    ['<iframe src="https://example.com"></iframe>', '&lt;iframe src=&quot;https://example.com&quot;&gt;&lt;/iframe&gt;'],
  ])('shows raw HTML %s as text', (input, shown) => {
    const out = markdownToHtml(input);
    expect(out).toContain(shown);
    expect(out).not.toMatch(/<(img|script|b|style|iframe)\b/);
  });

  it('renders code blocks with their language, the code escaped', () => {
    expect(markdownToHtml('```js\nif (a < b) "<b>";\n```')).toBe('<pre><code class="language-js">if (a &lt; b) &quot;&lt;b&gt;&quot;;\n</code></pre>\n');
    expect(markdownToHtml('use `<div>`')).toBe('<p>use <code>&lt;div&gt;</code></p>\n');
  });

  it('renders emphasis, lists, tables and line breaks', () => {
    expect(markdownToHtml('**a** *b*\nc')).toBe('<p><strong>a</strong> <em>b</em><br>c</p>\n');
    expect(markdownToHtml('- one\n- two')).toBe('<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n');
    expect(markdownToHtml('| a |\n|---|\n| 1 |')).toContain('<td>1</td>');
  });

  it('shows an image as a link, never loads it', () => {
    expect(markdownToHtml('![chart](https://evil.example/x.png?q=secret)')).toBe('<p><a href="https://evil.example/x.png?q=secret">image: chart</a></p>\n');
    expect(markdownToHtml('![x](javascript:alert(1))')).toBe('<p>image: x</p>\n');
  });

  it('keeps web and mail links, shows any other scheme as text', () => {
    expect(markdownToHtml('[docs](https://example.com/a "t")')).toBe('<p><a href="https://example.com/a" title="t">docs</a></p>\n');
    expect(markdownToHtml('[x](javascript:alert(1))')).toBe('<p>x</p>\n');
    expect(markdownToHtml('[x](data:text/html,<script>alert(1)</script>)')).not.toContain('href');
  });

  it('shows task-list boxes as text, not form controls', () => {
    expect(markdownToHtml('- [x] done')).toBe('<ul>\n<li>[x] done</li>\n</ul>\n');
  });
});

describe('safeHref', () => {
  it.each([
    ['https://a.example', true],
    ['http://a.example', true],
    ['mailto:a@example.com', true],
    ['#part', true],
    ['relative/page', true],
    ['javascript:alert(1)', false],
    [' JavaScript:alert(1)', false],
    ['data:text/html,x', false],
    ['vbscript:x', false],
  ])('%s -> %s', (href, ok) => expect(safeHref(href)).toBe(ok));
});

describe('escapeHtml', () => {
  it('escapes the five characters that matter', () => expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;'));
});
