/**
 * What the gateway says about chat when it starts, and again after a reload that changes `models`:
 * a provider whose API key is named by an environment variable that is unset or empty gets a
 * warning naming the field and the fix (the key itself, or an inline one, is never logged). Chat
 * with that provider would fail with provider_auth_failed; the gateway starts (or the reload is
 * applied) all the same.
 */
import type { ModelsConfig } from '../config/models-schema.js';
import { envKeyIssues, type Env } from '../models/resolve.js';
import type { ChatLogger } from './runs.js';

/** Logs one warning per provider whose `{ env }` key is missing; returns how many. */
export function warnAboutModelKeys(models: ModelsConfig | undefined, env: Env, logger: ChatLogger): number {
  const issues = envKeyIssues(models, env);
  for (const i of issues) logger.warn({ event: 'models_key_unset', field: i.path, problem: i.message, fix: i.fix }, `${i.path} ${i.message}; chat with this provider will fail (provider_auth_failed) until it is set`);
  return issues.length;
}

/** Whether a reload's changed paths (src/reload/diff.ts changedPaths) touch the `models` section. */
export function changesModels(changed: readonly string[]): boolean {
  return changed.some((p) => p === 'models' || p.startsWith('models.'));
}
