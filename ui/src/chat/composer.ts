/**
 * What a key press in the composer does: Enter sends, Shift+Enter (or Alt/Ctrl/Meta+Enter) is a new
 * line, and an Enter that confirms an input method's composition (Japanese, Chinese, ...) is
 * neither: it belongs to the input method.
 */
export interface KeyFacts {
  key: string;
  shiftKey: boolean;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  /** KeyboardEvent.isComposing (or keyCode 229 on older engines). */
  isComposing: boolean;
}

export type KeyAction = 'send' | 'default';

export function composerKey(k: KeyFacts): KeyAction {
  if (k.key !== 'Enter' || k.isComposing) return 'default';
  return k.shiftKey || k.altKey || k.ctrlKey || k.metaKey ? 'default' : 'send';
}

/** A message worth sending: something besides white space. */
export function sendable(text: string): boolean {
  return text.trim().length > 0;
}
