/**
 * `mayros gateway status`: what a running gateway tells this client. Liveness (/healthz) and
 * readiness with the config generation (/readyz) need no identity; who the gateway takes this
 * client for (/api/whoami) and its `status` method need an admitted request. What could not be
 * learned is reported with the reason code and why, never as a raw error.
 */
import { httpGet } from './http-get.js';

export interface StatusProbeOptions {
  /** Base URL, e.g. http://127.0.0.1:18789 */
  url: string;
  /** Sent as `Authorization: Bearer` and in the WebSocket connect frame. */
  secret?: string;
  /** Extra request headers (`-H`), e.g. the identity header a proxy would set. */
  headers?: Record<string, string | string[]>;
  /** Per request; default 5000. */
  timeoutMs?: number;
}

export interface Refusal {
  /** The wire reason code, e.g. trusted_proxy_user_missing. */
  reason: string;
  /** HTTP status, or the WebSocket close code. */
  status?: number;
  closeCode?: number;
  message?: string;
  fix?: string;
}

export interface StatusReport {
  url: string;
  /** /healthz answered {"ok":true}. */
  reachable: boolean;
  /** Why it is not reachable. */
  error?: string;
  /** From /readyz; absent when it gave no clear answer. */
  ready?: boolean;
  notReadyReason?: string;
  /** The config generation in force, from /readyz (or the `status` method). */
  config?: { generation: number; loadedAt?: string; pendingRestart?: string[] };
  /** The identity /api/whoami returned, when the request was admitted, with its scopes. */
  whoami?: { user: string | null; method: string; groups: string[]; scopes?: string[] };
  /** How /api/whoami (or the WebSocket) refused, when it did. */
  refused?: Refusal;
  /** The `status` method's payload. */
  status?: Record<string, unknown>;
  /** What could not be learned, and why. */
  notLearned: Array<{ what: string; why: string }>;
}

type Headers = Record<string, string | string[]>;

function refusalOf(body: unknown, status: number): Refusal | undefined {
  const e = (body as { error?: { reason?: unknown; message?: unknown; fix?: unknown } } | undefined)?.error;
  if (!e || typeof e.reason !== 'string') return undefined;
  return { reason: e.reason, status, ...(typeof e.message === 'string' && { message: e.message }), ...(typeof e.fix === 'string' && { fix: e.fix }) };
}

/** The WebSocket `status` method, connecting with the same headers and secret. */
async function wsStatus(url: string, headers: Headers, auth: Record<string, string>, timeoutMs: number): Promise<{ ok: true; payload: Record<string, unknown> } | { ok: false; refused?: Refusal; error?: string }> {
  const { default: WebSocket } = await import('ws');
  return new Promise((resolve) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/`, { handshakeTimeout: timeoutMs, headers });
    let refused: Refusal | undefined;
    const done = (v: Awaited<ReturnType<typeof wsStatus>>) => {
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      ws.terminate();
      resolve(v);
    };
    const timer = setTimeout(() => done({ ok: false, error: 'the WebSocket gave no answer in time' }), timeoutMs);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'req', id: 'c', method: 'connect', params: { protocol: 1, client: { name: 'mayros-cli' }, auth } })));
    ws.on('message', (data) => {
      let f: { id?: string; ok?: boolean; payload?: Record<string, unknown>; error?: { reason?: string; message?: string; code?: string } };
      try {
        f = JSON.parse(data.toString());
      } catch {
        return done({ ok: false, error: 'the gateway sent a frame that is not JSON' });
      }
      if (f.id === 'c') {
        if (f.ok) return void ws.send(JSON.stringify({ type: 'req', id: 's', method: 'status' }));
        if (f.error?.reason) refused = { reason: f.error.reason, message: f.error.message };
        else done({ ok: false, error: `connect failed: ${f.error?.code ?? 'no code'}` });
      } else if (f.id === 's') {
        // A refusal for a missing scope says which one: the identity is admitted, its scopes lack operator.read.
        const why = f.error?.reason ? `the status method was refused with ${f.error.reason}: ${f.error.message ?? ''}` : `status failed: ${f.error?.code ?? 'no code'}`;
        done(f.ok && f.payload ? { ok: true, payload: f.payload } : { ok: false, error: why });
      }
    });
    ws.on('close', (code, reason) => {
      const text = reason.toString();
      if (refused) return done({ ok: false, refused: { ...refused, closeCode: code } });
      done(text ? { ok: false, refused: { reason: text, closeCode: code } } : { ok: false, error: `the WebSocket closed with ${code}` });
    });
    ws.on('unexpected-response', (_req, res) => done({ ok: false, error: `the WebSocket upgrade got HTTP ${res.statusCode}` }));
    ws.on('error', (err) => done({ ok: false, error: `the WebSocket failed: ${err.message}` }));
  });
}

const STATUS_FIELDS = 'its version, auth mode, bind, uptime and connected clients (the `status` method)';

/** Why a refusal happened, in terms of what this probe sent, and what to do about it. */
export function refusalHint(reason: string, sentHeaders: boolean, sentSecret: boolean): string {
  if (reason === 'trusted_proxy_untrusted_source') {
    return 'the gateway is in trusted-proxy mode and this probe did not come from an address in gateway.trustedProxies, so identity headers are ignored; run it from the proxy\'s host (an address in trustedProxies) with -H, or point --url at the proxy';
  }
  if (reason.startsWith('trusted_proxy_')) {
    return sentHeaders
      ? 'the gateway is in trusted-proxy mode and refused the headers this probe sent (-H) for the reason above'
      : 'the gateway is in trusted-proxy mode: it admits only requests its proxy sends with an identity header, and this probe sent none; pass the headers the proxy sets with -H \'Name: value\'';
  }
  if (reason === 'token_missing' || reason === 'password_missing') {
    return 'this probe had no secret to send: pass --token, set MAYROS_GATEWAY_TOKEN (or MAYROS_GATEWAY_PASSWORD), or run as the owner of the state directory that holds gateway.token';
  }
  if (reason === 'token_mismatch' || reason === 'password_mismatch') {
    return `the secret this probe sent${sentSecret ? '' : ' (none)'} is not the one the gateway runs with: pass the right one with --token, or point --config at the gateway's config`;
  }
  if (reason === 'rate_limited') return 'this address is locked out after failed attempts; wait for the lockout to end';
  return 'see the reason code in docs/troubleshooting.md';
}

/** Probes the gateway at `opts.url`; every failure is reported in the result, never thrown. */
export async function probeStatus(opts: StatusProbeOptions): Promise<StatusReport> {
  const report = await probe(opts);
  if (report.reachable && !report.config) {
    report.notLearned.push({ what: 'the config generation', why: 'neither /readyz nor the `status` method reported it (an older gateway, or the probe was refused)' });
  }
  return report;
}

async function probe(opts: StatusProbeOptions): Promise<StatusReport> {
  const url = opts.url.replace(/\/+$/, '');
  const timeoutMs = opts.timeoutMs ?? 5000;
  const extra = opts.headers ?? {};
  const sentHeaders = Object.keys(extra).length > 0;
  const report: StatusReport = { url, reachable: false, notLearned: [] };

  try {
    const h = await httpGet(`${url}/healthz`, { timeoutMs, headers: extra });
    report.reachable = h.status === 200 && (h.json as { ok?: unknown } | undefined)?.ok === true;
    if (!report.reachable) report.error = `GET /healthz answered HTTP ${h.status}${h.json === undefined ? ' (not JSON)' : ''}, not {"ok":true}: is this URL the gateway?`;
  } catch (err) {
    report.error = (err as Error).message;
  }
  if (!report.reachable) {
    report.notLearned.push({ what: 'everything', why: 'the gateway could not be reached' });
    return report;
  }

  try {
    const r = await httpGet(`${url}/readyz`, { timeoutMs, headers: extra });
    const body = r.json as { ready?: unknown; reason?: unknown; config?: { generation?: unknown; loadedAt?: unknown } } | undefined;
    if (typeof body?.ready === 'boolean') {
      report.ready = body.ready;
      if (!body.ready && typeof body.reason === 'string') report.notReadyReason = body.reason;
    }
    if (typeof body?.config?.generation === 'number') {
      report.config = { generation: body.config.generation, ...(typeof body.config.loadedAt === 'string' && { loadedAt: body.config.loadedAt }) };
    }
  } catch {
    /* reported below as not learned */
  }
  if (report.ready === undefined) report.notLearned.push({ what: 'readiness', why: 'GET /readyz gave no clear answer' });

  const headers: Headers = { ...extra };
  if (opts.secret) headers.authorization = `Bearer ${opts.secret}`;
  try {
    const who = await httpGet(`${url}/api/whoami`, { timeoutMs, headers });
    const id = who.json as StatusReport['whoami'] | undefined;
    if (who.status === 200 && id && typeof id.method === 'string') report.whoami = id;
    else report.refused = refusalOf(who.json, who.status) ?? { reason: 'unknown', status: who.status, message: `GET /api/whoami answered HTTP ${who.status} without a reason code` };
  } catch (err) {
    report.refused = { reason: 'unknown', message: `GET /api/whoami failed: ${(err as Error).message}` };
  }
  if (report.refused) {
    const why = `/api/whoami refused this probe with ${report.refused.reason}: ${refusalHint(report.refused.reason, sentHeaders, Boolean(opts.secret))}`;
    report.notLearned.push({ what: 'who the gateway takes this client for', why }, { what: STATUS_FIELDS, why: 'it needs an admitted session, and this probe was refused' });
    return report;
  }

  // The Authorization header is for HTTP; the WebSocket carries the secret in `connect`.
  const secret = opts.secret;
  const auth: Record<string, string> = secret ? (report.whoami!.method === 'password' ? { password: secret } : { token: secret }) : {};
  const s = await wsStatus(url, extra, auth, timeoutMs);
  if (s.ok) {
    report.status = s.payload;
    const cfg = s.payload.config as StatusReport['config'] | undefined;
    if (cfg && typeof cfg.generation === 'number') report.config = cfg;
  } else {
    const why = s.refused ? `the WebSocket was refused with ${s.refused.reason}: ${refusalHint(s.refused.reason, sentHeaders, Boolean(secret))}` : (s.error ?? 'no answer');
    report.notLearned.push({ what: STATUS_FIELDS, why });
  }
  return report;
}
