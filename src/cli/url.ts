/**
 * `mayros gateway url`: prints the Control UI link again. With a generated token the link carries
 * it (`#token=...`), for the owner of the token file only; a configured token or password is never
 * printed (the page asks for it).
 */
import { loadConfig, type ResolvedConfig } from '../config/load.js';
import { readTokenAsOwner } from '../config/token-store.js';
import { isLoopbackBind } from '../config/validate.js';

export interface UrlOptions {
  config?: string;
  url?: string;
}

/** The outcome as data: the line for stdout (if any), notes for stderr, and the exit code. */
export interface UrlAnswer {
  link?: string;
  notes: string[];
  code: 0 | 1;
}

/** Where a gateway started with this config listens, seen from this host (and a browser on it); undefined for port 0. */
export function defaultUrl(resolved: ResolvedConfig): string | undefined {
  const g = resolved.config.gateway;
  if (g.port === 0) return undefined;
  const host = g.bind === 'custom' && g.customBindHost && !isLoopbackBind(resolved.config) ? g.customBindHost : '127.0.0.1';
  return `http://${host.includes(':') ? `[${host}]` : host}:${g.port}`;
}

export function controlUiLink(resolved: ResolvedConfig, url: string | undefined, uid?: number): UrlAnswer {
  const g = resolved.config.gateway;
  if (!g.controlUi.enabled) return { notes: ['the Control UI is turned off (gateway.controlUi.enabled is false)'], code: 1 };
  const mode = g.auth.mode;
  if (mode === 'trusted-proxy') {
    return { notes: ['trusted-proxy mode: open the Control UI through your proxy, at the address people use to reach it; the gateway\'s own address refuses browsers that do not come through the proxy (trusted_proxy_untrusted_source)'], code: 1 };
  }
  const base = (url ?? defaultUrl(resolved))?.replace(/\/+$/, '');
  if (!base) return { notes: ['gateway.port is 0, so the port is chosen when the gateway starts: pass --url with the address from its "listening" line'], code: 1 };
  if (mode === 'none') return { link: `${base}/`, notes: ['auth mode "none": the page needs no credential, and neither does anyone else who can reach it'], code: 0 };
  if (mode === 'password') return { link: `${base}/`, notes: ['password mode: the page asks for the gateway password (not printed here)'], code: 0 };
  const source = resolved.sources.get('gateway.auth.token');
  if (g.auth.token !== undefined && source !== 'generated') {
    const where = source === 'env' ? 'MAYROS_GATEWAY_TOKEN' : `gateway.auth.token in ${resolved.file}`;
    return { link: `${base}/`, notes: [`the token is configured (${where}); this command prints generated tokens only, never configured secrets: open the link and paste the token when the page asks`], code: 0 };
  }
  const read = readTokenAsOwner(resolved.stateDir, uid);
  if (!read.ok) {
    const fix: Record<typeof read.problem, string> = {
      missing: 'no token has been generated yet: the gateway creates one on its first run in token mode (`mayros gateway run`); check MAYROS_STATE_DIR if it runs with another state directory',
      unreadable: 'run this command as the user that runs the gateway (the owner of the state directory)',
      not_owner: 'run this command as the user that runs the gateway (the owner of the token file); the link carries the token, so it is shown to that user only',
      empty: 'delete the file and restart the gateway to generate a new token',
    };
    return { notes: [`${read.detail}: ${fix[read.problem]}`], code: 1 };
  }
  const notes = [`this link carries the gateway token (kept in ${read.file}): anyone who has it can use the gateway, so treat it like a password`];
  if (read.looseMode !== undefined) {
    notes.push(`${read.file} has mode ${read.looseMode.toString(8).padStart(4, '0')}, readable by others: the gateway sets it back to 0600 when it starts; consider the token exposed (delete the file and restart the gateway for a new one)`);
  }
  return { link: `${base}/#token=${read.token}`, notes, code: 0 };
}

export function printUrl(opts: UrlOptions): void {
  const resolved = loadConfig({ configPath: opts.config, requireNamedFile: true });
  const answer = controlUiLink(resolved, opts.url);
  for (const n of answer.notes) process.stderr.write(`mayros: ${n}\n`);
  if (answer.link) process.stdout.write(`${answer.link}\n`);
  process.exitCode = answer.code;
}
