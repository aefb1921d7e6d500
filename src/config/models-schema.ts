/**
 * The `models` config section: OpenAI-compatible model servers and the default model. Cross-field
 * rules (the default names a configured model, provider names) are checked here, each issue naming
 * the field and the fix (carried in the issue's `params.fix`, read by src/config/parse.ts).
 */
import { z } from 'zod';
import { didYouMean } from './errors.js';

/** A provider's name: the part before "/" in a model reference. */
const PROVIDER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const nonEmpty = z.string().trim().min(1, 'must not be empty');

/** An API key: inline, or (better) named by an environment variable that holds it. */
export const apiKeySchema = z.union(
  [
    z.string().min(1, 'must not be empty; remove apiKey for a server that needs no key'),
    z.object({ env: z.string().regex(ENV_NAME, 'must be an environment variable name (letters, digits and "_")') }).strict(),
  ],
  { error: 'must be the key as a string, or { env: "NAME" } naming the environment variable that holds it (preferred: the key stays out of the file)' },
);

/** The server's base URL up to `/v1`, without a trailing slash; http(s) only, no credentials. */
const baseUrlSchema = z
  .string()
  .trim()
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: `"${value}" is not a URL`, params: { fix: 'write the server\'s base URL, e.g. "http://127.0.0.1:11434/v1" (Ollama) or "https://api.openai.com/v1"' } });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      ctx.addIssue({ code: 'custom', message: `must be an http:// or https:// URL, not ${url.protocol}`, params: { fix: 'use the http(s) address of the server\'s OpenAI-compatible API' } });
    } else if (url.username || url.password) {
      ctx.addIssue({ code: 'custom', message: 'must not carry a user name or password', params: { fix: 'remove them from the URL and put the key in apiKey ({ env: "NAME" } keeps it out of the file)' } });
    } else if (url.search || url.hash) {
      ctx.addIssue({ code: 'custom', message: 'must not have a query or fragment', params: { fix: 'end the URL at the API\'s base path, e.g. ".../v1"' } });
    }
  })
  .transform((value) => value.replace(/\/+$/, ''));

export const providerSchema = z
  .object({
    baseUrl: baseUrlSchema,
    apiKey: apiKeySchema.optional(),
    models: z
      .array(nonEmpty)
      .min(1, 'must list at least one model the server offers')
      .refine((list) => new Set(list).size === list.length, { message: 'lists a model twice', params: { fix: 'list each model once' } }),
  })
  .strict();

export const modelsSchema = z
  .object({
    providers: z.record(z.string(), providerSchema),
    default: nonEmpty,
    systemPrompt: z.string().max(100_000, 'must be at most 100000 characters').optional(),
    maxOutputTokens: z.number().int().min(1).max(1_000_000).optional(),
    requestTimeoutSec: z.number().int().min(1).max(3600).default(120),
  })
  .strict()
  .superRefine((m, ctx) => {
    const names = Object.keys(m.providers);
    if (names.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['providers'], message: 'no provider is configured', params: { fix: 'add one, e.g. providers: { local: { baseUrl: "http://127.0.0.1:11434/v1", models: ["llama3.2"] } }' } });
      return;
    }
    for (const name of names) {
      if (!PROVIDER_NAME.test(name)) {
        ctx.addIssue({ code: 'custom', path: ['providers', name], message: `"${name}" is not a usable provider name`, params: { fix: 'use letters, digits, ".", "_" and "-" (no "/": it separates provider and model in models.default)' } });
      }
    }
    const refs = names.flatMap((p) => m.providers[p]!.models.map((model) => `${p}/${model}`));
    if (refs.includes(m.default)) return;
    const slash = m.default.indexOf('/');
    const provider = slash < 0 ? undefined : m.default.slice(0, slash);
    const guess = didYouMean(m.default, refs);
    const fix = guess ? `did you mean "${guess}"?` : `set it to one of: ${refs.join(', ')}`;
    const message =
      slash < 0 ? `"${m.default}" must be "provider/model"`
      : provider !== undefined && !m.providers[provider] ? `"${m.default}" names the provider "${provider}", which is not in models.providers`
      : `"${m.default}" is not in the models list of provider "${provider}"`;
    ctx.addIssue({ code: 'custom', path: ['default'], message, params: { fix } });
  });

export type ModelsConfig = z.output<typeof modelsSchema>;
export type ProviderConfig = z.output<typeof providerSchema>;
export type ApiKeyRef = z.output<typeof apiKeySchema>;

/** A model reference split at its first "/" (model names may hold "/" themselves). */
export interface ModelRef {
  provider: string;
  model: string;
}

export function parseModelRef(ref: string): ModelRef | undefined {
  const slash = ref.indexOf('/');
  if (slash <= 0 || slash === ref.length - 1) return undefined;
  return { provider: ref.slice(0, slash), model: ref.slice(slash + 1) };
}
