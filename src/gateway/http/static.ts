/**
 * The Control UI's built files, read into memory once at startup. Serving from a map of known
 * paths means no path from a request ever reaches the file system.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SECURITY_HEADERS } from './headers.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** The page may load only its own scripts and styles and talk only to its own origin. */
export const UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

interface FileEntry {
  body: Buffer;
  type: string;
  etag: string;
  cache: string;
}

export class StaticFiles {
  private readonly files = new Map<string, FileEntry>();

  constructor(readonly root: string) {
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const full = join(dir, name);
        if (statSync(full).isDirectory()) walk(full);
        else this.add(full);
      }
    };
    walk(root);
  }

  private add(full: string): void {
    const rel = '/' + relative(this.root, full).split(sep).join('/');
    const body = readFileSync(full);
    // Vite puts content-hashed names under /assets/: those never change, so cache them for a year.
    const hashed = rel.startsWith('/assets/');
    this.files.set(rel, {
      body,
      type: TYPES[extname(full)] ?? 'application/octet-stream',
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
      cache: hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
  }

  get hasIndex(): boolean {
    return this.files.has('/index.html');
  }

  /** Writes the file for `path` and returns true, or returns false when there is none. */
  serve(path: string, req: IncomingMessage, res: ServerResponse): boolean {
    const file = this.files.get(path === '/' ? '/index.html' : path);
    if (!file) return false;
    const headers: Record<string, string> = {
      ...SECURITY_HEADERS,
      'content-type': file.type,
      'cache-control': file.cache,
      etag: file.etag,
      'content-security-policy': UI_CSP,
    };
    if (req.headers['if-none-match'] === file.etag) {
      res.writeHead(304, headers);
      res.end();
      return true;
    }
    res.writeHead(200, { ...headers, 'content-length': String(file.body.length) });
    res.end(req.method === 'HEAD' ? undefined : file.body);
    return true;
  }
}

/** Loads the UI directory if it exists and holds an index.html. */
export function loadStaticFiles(root: string): StaticFiles | undefined {
  try {
    const files = new StaticFiles(root);
    return files.hasIndex ? files : undefined;
  } catch {
    return undefined;
  }
}
