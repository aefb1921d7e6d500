/**
 * From the `models` config to what a request needs: the provider and model a reference names,
 * and the API key (read from the environment when the config names a variable).
 */
import type { ConfigIssue } from '../config/errors.js';
import { ProviderClient, type ProviderClientOptions } from './client.js';
import { parseModelRef, type ApiKeyRef, type ModelsConfig, type ProviderConfig } from '../config/models-schema.js';

export type Env = Record<string, string | undefined>;

/** The key itself: inline, or from the named environment variable; undefined when none is set. */
export function resolveApiKey(ref: ApiKeyRef | undefined, env: Env): string | undefined {
  if (ref === undefined) return undefined;
  if (typeof ref === 'string') return ref;
  const value = env[ref.env];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Problems only the environment reveals: a provider whose apiKey names a variable that is unset
 * or empty. For startup validation and `mayros models list`.
 */
export function envKeyIssues(models: ModelsConfig | undefined, env: Env): ConfigIssue[] {
  if (!models) return [];
  return Object.entries(models.providers).flatMap(([name, p]) => {
    if (p.apiKey === undefined || typeof p.apiKey === 'string' || resolveApiKey(p.apiKey, env) !== undefined) return [];
    return [
      {
        path: `models.providers.${name}.apiKey`,
        message: `names the environment variable ${p.apiKey.env}, which is ${env[p.apiKey.env] === '' ? 'empty' : 'not set'}`,
        fix: `set ${p.apiKey.env} in the gateway's environment (e.g. in its service unit), or remove apiKey for a server that needs no key`,
      },
    ];
  });
}

export interface ResolvedModel {
  /** The provider's name in the config. */
  provider: string;
  /** The model name the provider knows. */
  model: string;
  /** "provider/model" */
  ref: string;
  config: ProviderConfig;
}

/** The configured model a reference names (the default when `ref` is absent); undefined if none. */
export function resolveModel(models: ModelsConfig, ref: string = models.default): ResolvedModel | undefined {
  const parsed = parseModelRef(ref);
  const config = parsed && models.providers[parsed.provider];
  if (!parsed || !config || !config.models.includes(parsed.model)) return undefined;
  return { provider: parsed.provider, model: parsed.model, ref, config };
}

/** A client for a configured provider, with the timeout from the config. */
export function clientFor(models: ModelsConfig, provider: ProviderConfig, env: Env, extra: Partial<ProviderClientOptions> = {}): ProviderClient {
  const apiKey = resolveApiKey(provider.apiKey, env);
  return new ProviderClient({ baseUrl: provider.baseUrl, requestTimeoutMs: models.requestTimeoutSec * 1000, ...(apiKey !== undefined && { apiKey }), ...extra });
}
