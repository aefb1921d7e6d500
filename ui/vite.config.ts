/**
 * Vite build of the Control UI: ui/ -> dist/ui, content-hashed assets under dist/ui/assets/
 * (the gateway caches those for a year), plus the docs pages the UI links to.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { docsPlugin } from './build/docs-plugin.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const pkg = JSON.parse(readFileSync(here('../package.json'), 'utf8')) as { version: string };

export default defineConfig({
  root: here('.'),
  base: './',
  publicDir: here('./public'),
  // The UI ships inside the gateway package: it reports the package version in `connect`.
  define: { __MAYROS_UI_VERSION__: JSON.stringify(pkg.version) },
  plugins: [docsPlugin(new URL('../docs/', import.meta.url))],
  build: {
    outDir: here('../dist/ui'),
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    // Nothing may end up inline in index.html: the CSP allows only files from 'self'.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
});
