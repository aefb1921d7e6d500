/**
 * Vite build of the Control UI: ui/ -> dist/ui, content-hashed assets under dist/ui/assets/
 * (the gateway caches those for a year), plus the docs pages the UI links to.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { docsPlugin } from './build/docs-plugin.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: './',
  publicDir: here('./public'),
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
