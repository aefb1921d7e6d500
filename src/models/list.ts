/**
 * `mayros models list` and the `models.list` method: for each provider, whether its server
 * answers `GET {baseUrl}/models`, the models it offers, and configured models it does not offer.
 */
import type { ProviderClientOptions } from './client.js';
import type { ProviderCode } from '../protocol/reasons.js';
import { clientFor, type Env } from './resolve.js';
import type { ModelsConfig } from '../config/models-schema.js';

export interface ProviderStatus {
  provider: string;
  baseUrl: string;
  /** The models listed in the config. */
  configured: string[];
  /** True when the server answered at all (even with a refusal such as 401). */
  reachable: boolean;
  /** True when it answered with its model list. */
  ok: boolean;
  /** What the server offers (when ok). */
  offered?: string[];
  /** Configured models the server does not offer (when ok): chat with them will fail. */
  missing?: string[];
  reason?: ProviderCode;
  detail?: string;
}

/** Default wait for a provider's model list: a status command should answer quickly. */
export const LIST_TIMEOUT_MS = 3000;

/** Asks one configured provider for its models. Never throws. */
export async function listModels(models: ModelsConfig, provider: string, env: Env, timeoutMs = LIST_TIMEOUT_MS, extra: Partial<ProviderClientOptions> = {}): Promise<ProviderStatus> {
  const config = models.providers[provider];
  if (!config) throw new Error(`no provider "${provider}" in models.providers`);
  const base = { provider, baseUrl: config.baseUrl, configured: [...config.models] };
  const r = await clientFor(models, config, env, extra).listModels(timeoutMs);
  if (r.ok) {
    const offered = new Set(r.models);
    return { ...base, reachable: true, ok: true, offered: r.models, missing: config.models.filter((m) => !offered.has(m)) };
  }
  const reachable = r.reason !== 'provider_unreachable' && r.reason !== 'provider_timeout';
  return { ...base, reachable, ok: false, reason: r.reason, detail: r.detail };
}

/** Every provider, asked in parallel, in config order. */
export function listAllModels(models: ModelsConfig, env: Env, timeoutMs = LIST_TIMEOUT_MS): Promise<ProviderStatus[]> {
  return Promise.all(Object.keys(models.providers).map((name) => listModels(models, name, env, timeoutMs)));
}
