/**
 * Config files a test writes for a gateway or a CLI run.
 */
import { randomBytes } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes `content` (text as is, an object as JSON) to `dir/name`; returns the path. */
export function writeConfig(dir: string, content: string | object, name = 'mayros.json'): string {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

/** The file text for a `gateway` section, on port 0 unless it names one, and other top-level sections (`models`, `chat`). */
export function configText(gateway: Record<string, unknown>, sections: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...sections, gateway: { port: 0, ...gateway } }, null, 2);
}

/** Writes a file the way editors do: a temp file renamed over the old one. */
export function replaceFile(file: string, text: string): void {
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}
