/**
 * What the chat view says about the model server, from the `models.list` reply: the model answers
 * come from, whether its server answers, or, with no `models` section in the config, that chat
 * needs one and the lines to add.
 */
import type { Reply } from '../protocol.js';

export interface ProviderShown {
  provider: string;
  ok: boolean;
  reason?: string;
}

export type ModelsView =
  | { state: 'loading' }
  /** The gateway has no `models` section: chat cannot answer. */
  | { state: 'unconfigured' }
  | { state: 'ok'; model: string | undefined; providers: ProviderShown[] }
  /** The gateway did not say (an older gateway, or a refusal): the view shows nothing about it. */
  | { state: 'unknown' };

/** The config to add for a local model server (Ollama's address and a small model); docs/chat.md has the rest. */
export const MODELS_SNIPPET = `models: {
  providers: { local: { baseUrl: "http://127.0.0.1:11434/v1", models: ["llama3.2"] } },
  default: "local/llama3.2" },`;

interface ListPayload {
  configured?: boolean;
  default?: string | null;
  providers?: Array<{ provider?: string; ok?: boolean; reason?: string }>;
}

export function modelsView(r: Reply<unknown>): ModelsView {
  if (!r.ok) return r.error.reason === 'models_not_configured' ? { state: 'unconfigured' } : { state: 'unknown' };
  const p = (r.payload ?? {}) as ListPayload;
  const providers = Array.isArray(p.providers) ? p.providers : [];
  if (p.configured === false || (!providers.length && !p.default)) return { state: 'unconfigured' };
  return {
    state: 'ok',
    model: typeof p.default === 'string' ? p.default : undefined,
    providers: providers.map((x) => ({ provider: String(x.provider ?? ''), ok: x.ok === true, ...(typeof x.reason === 'string' && { reason: x.reason }) })),
  };
}
