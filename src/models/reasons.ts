/**
 * Why a model provider could not answer: one code per failure class, each with an HTTP-like
 * status, the sentence shown to a person and the fix. A run that fails ends with `state: "error"`
 * and one of these codes; the partial answer is kept. `docs/troubleshooting.md` has one entry per
 * code ("Model providers"); a test keeps the two in step.
 */

export type ProviderReason = 'provider_unreachable' | 'provider_timeout' | 'provider_auth_failed' | 'provider_rate_limited' | 'provider_error';

export interface ProviderReasonInfo {
  /** HTTP status for a request that fails for this reason (the upstream's fault: 5xx, or 429). */
  status: number;
  type: 'unavailable' | 'rate_limited';
  /** What happened, for a person. */
  message: string;
  /** What to change, for a person. */
  fix: string;
}

export const PROVIDER_REASONS: Readonly<Record<ProviderReason, ProviderReasonInfo>> = Object.freeze({
  provider_unreachable: {
    status: 502,
    type: 'unavailable',
    message: 'The gateway could not connect to the model server (connection refused, unknown host or a TLS failure).',
    fix: 'Start the model server, or correct models.providers.<name>.baseUrl; `mayros models list` shows whether each provider answers.',
  },
  provider_timeout: {
    status: 504,
    type: 'unavailable',
    message: 'The model server went silent for longer than models.requestTimeoutSec, before or during its answer.',
    fix: 'Check the model server\'s load (a model still loading or a long prompt on a CPU can take minutes), or raise models.requestTimeoutSec.',
  },
  provider_auth_failed: {
    status: 502,
    type: 'unavailable',
    message: 'The model server refused the gateway\'s API key (HTTP 401 or 403).',
    fix: 'Set a valid key in models.providers.<name>.apiKey (or the environment variable it names) with access to the model, then reload.',
  },
  provider_rate_limited: {
    status: 429,
    type: 'rate_limited',
    message: 'The model server is rate-limiting the gateway (HTTP 429).',
    fix: 'Wait and send again; if it persists, raise the quota with the provider or lower the per-person chat limits.',
  },
  provider_error: {
    status: 502,
    type: 'unavailable',
    message: 'The model server failed: a server error, a refused request, or a stream that was malformed or cut off mid-answer.',
    fix: 'Look at the model server\'s own log; the gateway log line names the HTTP status or what was wrong with the stream. Check the model name in models.providers.<name>.models.',
  },
});

/** All provider reasons, in a stable order. */
export const ALL_PROVIDER_REASONS = Object.keys(PROVIDER_REASONS) as ProviderReason[];
