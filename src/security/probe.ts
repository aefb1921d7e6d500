/**
 * `security audit --deep`: probes a running gateway the way an anonymous client would. It asks
 * /healthz whether anything answers, then sends one unauthenticated HTTP request and one
 * unauthenticated WebSocket connect, and reads the auth mode from the refusal's reason code
 * (/healthz stays `{"ok":true}` and says nothing about the configuration).
 *
 * The URL may be a proxy's. The gateway never asks for credentials on /healthz and answers every
 * refusal with a reason code, so a sign-in demand there, or a refusal without a code, comes from a
 * proxy in front of it. Through a proxy, /healthz's `x-mayros-forwarded` header says whether the
 * gateway trusts the proxy's forwarding headers (src/net/forwarded.ts).
 */
import type { AuthMode } from '../config/schema.js';
import { FORWARDED_VERDICT_HEADER } from '../net/forwarded.js';
import { finding, type Finding } from './findings.js';
import { describe, describeStatus, get, httpAttempt, isSignInDemand, modeOf, shortLocation, wsAttempt, type Answer, type Attempt } from './probe-attempts.js';

export interface ProbeOptions {
  /** Base URL, e.g. http://127.0.0.1:18789 */
  url: string;
  /** The mode the audited config sets, to spot a gateway running an older config. */
  expectedMode?: AuthMode;
  /** Per request; default 3000. */
  timeoutMs?: number;
  /** The gateway's own address from the config, suggested when `url` turns out to be a proxy's. */
  localUrl?: string;
}

type Health =
  | { kind: 'gateway'; verdict: string | undefined }
  | { kind: 'sign-in'; status: number; location?: string; server?: string }
  | { kind: 'failed'; why: string };

/** Sorts the answer to GET /healthz: the gateway's own, a proxy's sign-in demand, or neither. */
async function health(base: string, timeoutMs: number): Promise<Health> {
  let h: Answer;
  try {
    h = await get(`${base}/healthz`, timeoutMs);
  } catch (err) {
    return { kind: 'failed', why: err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err) };
  }
  if (h.status === 200 && (h.body as { ok?: unknown } | undefined)?.ok === true) return { kind: 'gateway', verdict: h.headers.get(FORWARDED_VERDICT_HEADER) ?? undefined };
  const server = h.headers.get('server') ?? undefined;
  if (isSignInDemand(h.status)) return { kind: 'sign-in', status: h.status, location: shortLocation(h.headers.get('location'), base), server };
  const from = server ? ` (Server: ${server})` : '';
  const gatewayDown = h.status === 502 || h.status === 503 || h.status === 504 ? ': a proxy answered, but apparently not the gateway behind it (not running, or the proxy points at another address)' : '';
  return { kind: 'failed', why: `/healthz answered HTTP ${h.status}${from}, not {"ok":true}${gatewayDown}` };
}

function sameHostAdvice(localUrl: string | undefined): string {
  return localUrl ? `--url ${localUrl}` : '--url http://127.0.0.1:<gateway.port>';
}

/** Probes the gateway at `url`; every problem becomes a finding, never an exception. */
export async function probeGateway(opts: ProbeOptions): Promise<Finding[]> {
  const base = opts.url.replace(/\/+$/, '');
  const timeoutMs = opts.timeoutMs ?? 3000;
  const h = await health(base, timeoutMs);
  if (h.kind === 'failed') {
    return [
      finding(
        'gateway.deep_unreachable',
        'warn',
        'The running gateway could not be reached',
        `No Mayros gateway answered at ${base}/healthz: ${h.why}. Nothing about the running gateway was checked.`,
        'Start the gateway (`mayros gateway run`), or pass --url with the address it listens on (`mayros gateway status` shows it).',
      ),
    ];
  }
  if (h.kind === 'sign-in') {
    return [
      finding(
        'gateway.deep_proxy_blocks_health',
        'warn',
        'A proxy asks for sign-in on /healthz, so the gateway behind it was not reached',
        `At ${base}/healthz the answer was ${describeStatus(h.status, h.location)}${h.server ? ` (Server: ${h.server})` : ''}, without the gateway's {"ok":true}. ` +
          'The gateway never asks for credentials on /healthz, so this came from a proxy in front of it that wants a signed-in user there. The probe reached the proxy, not the gateway; nothing about the running gateway was checked.',
        'Let /healthz and /readyz through the proxy without sign-in, straight to the gateway: they reveal nothing ({"ok":true}, {"ready":true}) and monitoring needs them too. Every recipe in examples/proxies/ shows how (nginx: `location ~ ^/(healthz|readyz)$` without auth_request). ' +
          `Or run the audit on the gateway's host against the gateway itself: ${sameHostAdvice(opts.localUrl)}.`,
      ),
    ];
  }
  const http = await httpAttempt(base, timeoutMs).catch((err: Error): Attempt => ({ kind: 'unclear', detail: `GET /api/whoami failed: ${err.message}` }));
  const ws = await wsAttempt(base, timeoutMs);
  const seen = `an unauthenticated HTTP request was ${describe(http)}; an unauthenticated WebSocket connect was ${describe(ws)}`;
  const out: Finding[] = [];

  if (h.verdict === 'untrusted-peer') out.push(forwardedUntrusted(base, opts));

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
    const via =
      h.verdict === 'trusted-proxy' ? ', through a proxy it trusts (gateway.trustedProxies lists the address the proxy connects from)' : h.verdict === 'untrusted-peer' ? ', through a proxy it does not trust' : '';
    out.push(
      finding(
        'gateway.deep_ok',
        'info',
        'The running gateway refuses anonymous requests',
        `The gateway at ${base} is reachable${via} and runs in ${running ? `mode "${running}"` : 'an auth mode the refusals did not reveal'}: ${seen}.`,
        'Nothing to fix.',
      ),
    );
  }
  return out;
}

function forwardedUntrusted(base: string, opts: ProbeOptions): Finding {
  const mode = opts.expectedMode;
  const effect =
    mode === 'trusted-proxy'
      ? 'In trusted-proxy mode every request through it is refused with trusted_proxy_untrusted_source.'
      : mode === 'token' || mode === 'password'
        ? `In ${mode} mode the failure limiter counts every client of the proxy as that one address, so one person's wrong ${mode}s lock out everyone behind it, and the logs show the proxy's address for everyone.`
        : 'The failure limiter and the logs then see one client (the proxy) instead of many, and in trusted-proxy mode every request through it is refused.';
  return finding(
    'gateway.deep_forwarded_untrusted',
    'warn',
    'Forwarded requests reach the gateway from an address it does not trust',
    `GET ${base}/healthz reached the gateway with forwarding headers (X-Forwarded-For and the like, added by a proxy on the way) from a peer address that gateway.trustedProxies does not list. ` +
      `The gateway ignores forwarding headers from such a peer and takes the proxy for the client. ${effect}`,
    'Add the address the proxy connects to the gateway from to gateway.trustedProxies: on a loopback bind that is "127.0.0.1" (or "::1" when the proxy connects over IPv6); otherwise the `peer` of the gateway\'s auth_rejected log lines for requests through the proxy (this probe\'s own anonymous request left one). ' +
      'Then make the proxy overwrite X-Forwarded-For with the client\'s address, and run the audit again.',
  );
}
