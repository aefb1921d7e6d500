/**
 * The line a transcript with no messages shows, by what the person may do in the session in view.
 * Pure.
 */
import type { Access } from './owners.js';

export interface EmptyFacts {
  /** The sessions and models are still loading: no line yet. */
  loading: boolean;
  access: Pick<Access, 'kind'>;
  /** The gateway has no `models` section (models.list answered models_not_configured). */
  modelsUnconfigured: boolean;
  /** The list has at least one session. */
  hasSessions: boolean;
}

export function emptyNote(f: EmptyFacts): string | undefined {
  if (f.loading) return undefined;
  if (f.access.kind === 'write') return f.modelsUnconfigured ? 'Chat needs a model server first (above).' : 'Write a message below to start.';
  return f.hasSessions ? 'No messages in this session.' : 'You have no chat sessions yet.';
}
