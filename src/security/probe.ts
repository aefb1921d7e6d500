/**
 * `security audit --deep`: probes a running gateway the way an anonymous client would. It asks
 * /healthz whether anything answers, then sends one unauthenticated HTTP request and one
 * unauthenticated WebSocket connect, and reads the auth mode from the refusal's reason code
 * (/healthz stays `{"ok":true}` and says nothing about the configuration).
 */
import WebSocket from 'ws';
import type { AuthMode } from '../config/schema.js';
import { reasonFromWireCode } from '../auth/reasons.js';
import { finding, type Finding } from './findings.js';
import { httpGet } from '../probe/http-get.js';

export interface ProbeOptions {
  /** Base URL, e.g. http://127.0.0.1:18789 */
  url: string;
  /** The mode the audited config sets, to spot a gateway running an older config. */
  expectedMode?: AuthMode;
  /** Per request; default 3000. */
  timeoutMs?: number;
}

/** What one unauthenticated attempt got: admitted (with the method), refused (with the code), or no clear answer. */
export type Attempt =
  | { kind: 'admitted'; method: string; bind?: string }
  | { kind: 'refused'; code: string; status?: number; closeCode?: number }
  | { kind: 'unclear'; detail: string };

/** The auth mode a refusal reason code belongs to, or undefined when it does not tell. */
export function modeFromReason(code: string): AuthMode | undefined {
  const reason = reasonFromWireCode(code);
  if (!reason) return undefined;
  if (reason.startsWith('trusted_proxy_')) return 'trusted-proxy';
  if (reason.startsWith('token_')) return 'token';
  if (reason.startsWith('password_')) return 'password';
  return undefined;
}

function modeOf(a: Attempt): AuthMode | undefined {
  if (a.kind === 'admitted') return a.method === 'none' ? 'none' : (a.method as AuthMode);
  return a.kind === 'refused' ? modeFromReason(a.code) : undefined;
}

/** node:http, not fetch(): fetch refuses ports such as 6666 and 10080 (see probe/http-get.ts). */
async function get(url: string, timeoutMs: number): Promise<{ status: number; body: unknown }> {
  const { status, json } = await httpGet(url, { timeoutMs });
  return { status, body: json };
}

/** One GET /api/whoami without credentials. */
export async function httpAttempt(base: string, timeoutMs: number): Promise<Attempt> {
  const { status, body } = await get(`${base}/api/whoami`, timeoutMs);
  const b = body as { method?: unknown; error?: { reason?: unknown } } | undefined;
  if (status === 200 && typeof b?.method === 'string') return { kind: 'admitted', method: b.method };
  if (typeof b?.error?.reason === 'string') return { kind: 'refused', code: b.error.reason, status };
  return { kind: 'unclear', detail: `GET /api/whoami answered HTTP ${status} without a reason code` };
}

/** One WebSocket upgrade and `connect` frame without credentials; when admitted, asks `status`. */
export function wsAttempt(base: string, timeoutMs: number): Promise<Attempt> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/`, { handshakeTimeout: timeoutMs });
    // Settled by the close that follows: a refusal's close code, or the `status` reply.
    let admitted: Extract<Attempt, { kind: 'admitted' }> | undefined;
    let refused: Extract<Attempt, { kind: 'refused' }> | undefined;
    const done = (a: Attempt) => {
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.terminate();
      resolve(a);
    };
    const timer = setTimeout(() => done(admitted ?? refused ?? { kind: 'unclear', detail: 'the WebSocket probe timed out' }), timeoutMs);
    ws.on('open', () => {
      ws.send(JSON.stringify({ type: 'req', id: 'probe', method: 'connect', params: { protocol: 1, client: { name: 'mayros-audit' } } }));
    });
    ws.on('message', (data) => {
      let f: { id?: unknown; ok?: boolean; payload?: { identity?: { method?: string }; bind?: string }; error?: { reason?: string; code?: string } };
      try {
        f = JSON.parse(data.toString());
      } catch {
        return done({ kind: 'unclear', detail: 'the gateway sent a frame that is not JSON' });
      }
      if (f.id === 'probe') {
        if (!f.ok) {
          if (!f.error?.reason) return done({ kind: 'unclear', detail: `connect was refused with ${f.error?.code ?? 'no code'}` });
          refused = { kind: 'refused', code: f.error.reason };
          return;
        }
        admitted = { kind: 'admitted', method: f.payload?.identity?.method ?? 'unknown' };
        ws.send(JSON.stringify({ type: 'req', id: 'status', method: 'status' }));
      } else if (f.id === 'status' && admitted) {
        done({ ...admitted, bind: f.payload?.bind });
      }
    });
    ws.on('close', (code, reason) => {
      if (admitted) return done(admitted);
      if (refused) return done({ ...refused, closeCode: code });
      const text = reason.toString();
      done(text ? { kind: 'refused', code: text, closeCode: code } : { kind: 'unclear', detail: `the WebSocket closed with ${code} and no reason` });
    });
    ws.on('unexpected-response', (_req, res) => done({ kind: 'unclear', detail: `the WebSocket upgrade got HTTP ${res.statusCode}` }));
    ws.on('error', (err) => done({ kind: 'unclear', detail: `the WebSocket probe failed: ${err.message}` }));
  });
}

function describe(a: Attempt): string {
  if (a.kind === 'admitted') return `admitted (method "${a.method}")`;
  if (a.kind === 'refused') return `refused with ${a.code}${a.status ? ` (HTTP ${a.status})` : ''}${a.closeCode ? ` (close ${a.closeCode})` : ''}`;
  return `no clear answer: ${a.detail}`;
}

/** Probes the gateway at `url`; every problem becomes a finding, never an exception. */
export async function probeGateway(opts: ProbeOptions): Promise<Finding[]> {
  const base = opts.url.replace(/\/+$/, '');
  const timeoutMs = opts.timeoutMs ?? 3000;
  try {
    const h = await get(`${base}/healthz`, timeoutMs);
    if (h.status !== 200 || (h.body as { ok?: unknown } | undefined)?.ok !== true) throw new Error(`/healthz answered HTTP ${h.status}, not {"ok":true}`);
  } catch (err) {
    const why = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
    return [
      finding(
        'gateway.deep_unreachable',
        'warn',
        'The running gateway could not be reached',
        `No Mayros gateway answered at ${base}/healthz: ${why}. Nothing about the running gateway was checked.`,
        'Start the gateway (`mayros gateway run`), or pass --url with the address it listens on (`mayros gateway status` shows it).',
      ),
    ];
  }
  const http = await httpAttempt(base, timeoutMs).catch((err: Error): Attempt => ({ kind: 'unclear', detail: `GET /api/whoami failed: ${err.message}` }));
  const ws = await wsAttempt(base, timeoutMs);
  const seen = `an unauthenticated HTTP request was ${describe(http)}; an unauthenticated WebSocket connect was ${describe(ws)}`;
  const out: Finding[] = [];

  const admitted = [http, ws].find((a) => a.kind === 'admitted');
  if (admitted) {
    const bind = ws.kind === 'admitted' ? ws.bind : undefined;
    out.push(
      finding(
        'gateway.deep_unauthenticated_admitted',
        bind === 'loopback' ? 'warn' : 'critical',
        'The running gateway admits requests without credentials',
        `At ${base}, ${seen}${bind ? `; it reports gateway.bind "${bind}"` : ''}.`,
        'Set gateway.auth.mode to "token" (or "trusted-proxy" behind your proxy) and restart the gateway.',
      ),
    );
  }
  const unclear = [http, ws].filter((a): a is Extract<Attempt, { kind: 'unclear' }> => a.kind === 'unclear');
  if (unclear.length) {
    out.push(
      finding(
        'gateway.deep_probe_failed',
        'warn',
        'A probe of the running gateway gave no clear answer',
        `At ${base}, ${seen}.`,
        'Check that --url points at the gateway itself (not a proxy or another service) and run the audit again; the gateway log shows each refusal with its reason.',
      ),
    );
  }
  const modes = [modeOf(http), modeOf(ws)].filter((m): m is AuthMode => m !== undefined);
  const running = modes[0];
  if (opts.expectedMode && running && running !== opts.expectedMode) {
    out.push(
      finding(
        'gateway.deep_auth_mode_mismatch',
        'warn',
        'The running gateway uses another auth mode than this config',
        `The config sets gateway.auth.mode "${opts.expectedMode}", but the gateway at ${base} behaves as mode "${running}" (${seen}).`,
        'Restart the gateway so it loads this config, or point --config / --url at the pair that belong together.',
      ),
    );
  }
  if (!admitted && !unclear.length) {
    out.push(
      finding(
        'gateway.deep_ok',
        'info',
        'The running gateway refuses anonymous requests',
        `The gateway at ${base} is reachable and runs in ${running ? `mode "${running}"` : 'an auth mode the refusals did not reveal'}: ${seen}.`,
        'Nothing to fix.',
      ),
    );
  }
  return out;
}
