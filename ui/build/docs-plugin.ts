/**
 * A Vite plugin that renders the docs pages the Control UI links to (the troubleshooting entry
 * for every reason code) into the UI build, so the gateway serves them itself: they work behind
 * any proxy, under any host name, and with no internet access.
 */
import { readFileSync } from 'node:fs';
import type { Plugin } from 'vite';
import { escapeHtml, renderMarkdown } from './markdown.js';

/** The docs pages built into the UI, by file name under docs/. */
export const BUILT_DOCS = ['troubleshooting.md'] as const;

/** Where a built docs page is served, relative to the UI root. */
export function docsPagePath(mdName: string): string {
  return `docs/${mdName.replace(/\.md$/, '.html')}`;
}

/** Renders one docs page into a complete HTML document (no inline script or style). */
export function docsPage(markdown: string, built: readonly string[] = BUILT_DOCS): string {
  const titleLine = /^# (.+)$/m.exec(markdown);
  const title = titleLine ? titleLine[1]!.trim() : 'Mayros Gateway docs';
  const body = renderMarkdown(markdown, {
    // Links to other built pages stay links; links to docs the gateway does not serve become text.
    linkTarget: (href) => {
      const [file, hash] = href.split('#');
      if (file && built.includes(file)) return `${file.replace(/\.md$/, '.html')}${hash ? `#${hash}` : ''}`;
      return undefined;
    },
  });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(title)} · Mayros Gateway</title>
<link rel="icon" href="../favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="docs.css">
</head>
<body>
<nav><a href="../">&larr; Control UI</a></nav>
<main>
${body}
</main>
</body>
</html>
`;
}

/** The plugin: emits docs/<name>.html for each built page and docs/docs.css. */
export function docsPlugin(docsDir: URL): Plugin {
  return {
    name: 'mayros-docs',
    apply: 'build',
    generateBundle() {
      for (const name of BUILT_DOCS) {
        const file = new URL(name, docsDir);
        this.addWatchFile(file.pathname);
        this.emitFile({ type: 'asset', fileName: docsPagePath(name), source: docsPage(readFileSync(file, 'utf8')) });
      }
      this.emitFile({ type: 'asset', fileName: 'docs/docs.css', source: readFileSync(new URL('./docs.css', import.meta.url), 'utf8') });
    },
  };
}
